package chatmail.net;

import chatmail.metrics.ConnectionService;

/** One service a protocol server listens for (IMAP on 993, SMTP submission on 587, ...). */
public interface ServicePort {

    /** The service's name, as threads and logs call it ("imaps"). */
    String serviceName();

    /** TLS from the first byte, rather than plain until STARTTLS. */
    boolean implicitTls();

    /** Whose connection limits apply (SEC-3). */
    ConnectionService limitsService();
}
