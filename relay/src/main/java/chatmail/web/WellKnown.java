package chatmail.web;

import chatmail.config.Config;

/** The machine-readable files of WEB-2: mail client autoconfiguration and the MTA-STS policy. */
final class WellKnown {

    private WellKnown() {}

    /**
     * Thunderbird-style autoconfig, which Delta Chat reads too: IMAP on 993 (TLS), 143
     * (STARTTLS) and 443 (TLS, ALPN {@code imap}); SMTP on 465, 587 and 443. Ports switched off
     * in the configuration are left out.
     */
    static String autoconfig(Config config) {
        String host = Template.escape(config.mailDomain());
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<clientConfig version=\"1.1\">\n")
                .append("  <emailProvider id=\"").append(host).append("\">\n")
                .append("    <domain>").append(host).append("</domain>\n")
                .append("    <displayName>").append(host).append(" chatmail</displayName>\n")
                .append("    <displayShortName>").append(host).append("</displayShortName>\n");
        server(sb, "incomingServer", "imap", host, config.imapsPort(), "SSL");
        server(sb, "incomingServer", "imap", host, config.imapPort(), "STARTTLS");
        server(sb, "incomingServer", "imap", host, config.httpsPort(), "SSL");
        server(sb, "outgoingServer", "smtp", host, config.submissionsPort(), "SSL");
        server(sb, "outgoingServer", "smtp", host, config.submissionPort(), "STARTTLS");
        server(sb, "outgoingServer", "smtp", host, config.httpsPort(), "SSL");
        sb.append("  </emailProvider>\n").append("</clientConfig>\n");
        return sb.toString();
    }

    private static void server(StringBuilder sb, String element, String type, String host, int port, String socket) {
        if (port == 0) {
            return;
        }
        sb.append("    <").append(element).append(" type=\"").append(type).append("\">\n")
                .append("      <hostname>").append(host).append("</hostname>\n")
                .append("      <port>").append(port).append("</port>\n")
                .append("      <socketType>").append(socket).append("</socketType>\n")
                .append("      <authentication>password-cleartext</authentication>\n")
                .append("      <username>%EMAILADDRESS%</username>\n")
                .append("    </").append(element).append(">\n");
    }

    /** RFC 8461 policy: senders must reach this domain's MX over verified TLS. */
    static String mtaSts(Config config) {
        return "version: STSv1\r\n"
                + "mode: enforce\r\n"
                + "mx: " + config.mailDomain() + "\r\n"
                + "max_age: 2419200\r\n";
    }
}
