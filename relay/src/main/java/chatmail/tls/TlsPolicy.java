package chatmail.tls;

import java.util.List;

/**
 * Which TLS versions a listening port accepts (SPEC "TLS — versions per port").
 * Client ports follow the reference and speak TLS 1.3 only; MX and HTTPS also accept 1.2
 * because other mail servers and browsers still need it.
 */
public enum TlsPolicy {
    /** 465, 587, 993, 143 and IMAP/SMTP behind 443: TLS 1.3 only. */
    CLIENT(List.of("TLSv1.3")),
    /** 25: TLS 1.2 and 1.3. */
    MX(List.of("TLSv1.3", "TLSv1.2")),
    /** 443 and https_port for HTTP: TLS 1.2 and 1.3. */
    HTTPS(List.of("TLSv1.3", "TLSv1.2"));

    private final List<String> protocols;

    TlsPolicy(List<String> protocols) {
        this.protocols = protocols;
    }

    /** JSSE protocol names, newest first. */
    public List<String> protocols() {
        return protocols;
    }
}
