package chatmail.imap;

import chatmail.metrics.ConnectionService;
import chatmail.net.ServicePort;

/** The two IMAP services; they differ only in how TLS starts. */
public enum ImapPort implements ServicePort {
    /** 143: plain until STARTTLS, and no login before it. */
    IMAP("imap", false),
    /** 993: TLS from the first byte. */
    IMAPS("imaps", true);

    private final String serviceName;
    private final boolean implicitTls;

    ImapPort(String serviceName, boolean implicitTls) {
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
        return ConnectionService.IMAP;
    }
}
