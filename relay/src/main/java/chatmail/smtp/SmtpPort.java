package chatmail.smtp;

import chatmail.metrics.ConnectionService;
import chatmail.net.ServicePort;

/** The three SMTP services, which differ in TLS and in who may send what. */
public enum SmtpPort implements ServicePort {
    /** Port 25: mail from other servers for local users; STARTTLS required, no AUTH. */
    MX("smtp", false),
    /** Port 587: clients, STARTTLS then AUTH. */
    SUBMISSION("submission", false),
    /** Port 465: clients, implicit TLS then AUTH. */
    SUBMISSIONS("submissions", true);

    private final String serviceName;
    private final boolean implicitTls;

    SmtpPort(String serviceName, boolean implicitTls) {
        this.serviceName = serviceName;
        this.implicitTls = implicitTls;
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    @Override
    public boolean implicitTls() {
        return implicitTls;
    }

    @Override
    public ConnectionService limitsService() {
        return this == MX ? ConnectionService.MX : ConnectionService.SUBMISSION;
    }

    public boolean isSubmission() {
        return this != MX;
    }
}
