package chatmail.deltachat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The core's {@code EnteredLoginParam}: what a user types under "advanced login settings".
 * Explicit servers and ports, and certificates accepted as they are (test relays are
 * self-signed).
 */
record LoginParams(String addr, String password, String host, int imapPort, Security imapSecurity,
        int smtpPort, Security smtpSecurity) {

    enum Security {
        SSL("ssl"), STARTTLS("starttls");

        final String wire;

        Security(String wire) {
            this.wire = wire;
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("addr", addr);
        p.put("password", password);
        p.put("imapServer", host);
        p.put("imapPort", imapPort);
        p.put("imapSecurity", imapSecurity.wire);
        p.put("imapUser", addr);
        p.put("smtpServer", host);
        p.put("smtpPort", smtpPort);
        p.put("smtpSecurity", smtpSecurity.wire);
        p.put("smtpUser", addr);
        p.put("certificateChecks", "acceptInvalidCertificates");
        return p;
    }
}
