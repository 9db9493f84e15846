package chatmail.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every key of {@code [params]} (SPEC CFG-1 and CFG-2): its exact name, its default as written in
 * {@code chatmail.ini} (empty when unset by default) and one line saying what it means. The
 * loader, the {@code init} template and {@code docs/configuration.md} all follow this table.
 */
public enum ConfigKey {
    MAIL_DOMAIN("", "The relay's domain (required): addresses are user@<domain>. An IPv4 address "
            + "makes an IP-only relay; a name starting with _ or under .localhost gets a self-signed certificate."),
    MAX_USER_SEND_PER_MINUTE("60", "Messages one account may send per minute."),
    MAX_USER_SEND_BURST_SIZE("10", "Messages one account may send at once before the per-minute rate applies."),
    MAX_MAILBOX_SIZE("500M", "Storage per account: 500M, 2G, 100MB, 1g, or a bare number of MiB."),
    MAX_MESSAGE_SIZE("31457280", "Largest message accepted, in bytes."),
    DELETE_MAILS_AFTER("20", "Days after which every message is deleted."),
    DELETE_LARGE_AFTER("7", "Days after which seen messages over 200 000 bytes are deleted."),
    DELETE_INACTIVE_USERS_AFTER("90", "Days without a login after which an account and its mail are deleted."),
    USERNAME_MIN_LENGTH("9", "Shortest local part (before the @) a new account may have."),
    USERNAME_MAX_LENGTH("9", "Longest local part a new account may have."),
    PASSWORD_MIN_LENGTH("9", "Shortest password a new account may have."),
    MAX_LOAD_1M("5", "No new accounts while the 1-minute load average is above this."),
    MIN_AVAILABLE_MEMORY("200M", "No new accounts while available memory is below this (size, bare number = MiB)."),
    MIN_FREE_DISK_SPACE("1G", "No new accounts while free disk space in data_dir is below this (size, bare number = MiB)."),
    MAX_IMAP_CONNECTIONS("10000", "Most IMAP connections open at once (143, 993, ALPN imap on 443); a fifth "
            + "of it per client address. No off value: set it high."),
    MAX_SMTP_CONNECTIONS("1000", "Most SMTP connections open at once, for port 25 and for submission (587, "
            + "465, ALPN smtp on 443) each; a fifth of it per client address. No off value."),
    MAX_HTTPS_CONNECTIONS("1000", "Most connections on https_port open at once, until the router hands IMAP "
            + "and SMTP on to their services; a fifth of it per client address. No off value."),
    MAX_UNAUTHENTICATED_CONNECTIONS_PER_CLIENT("20", "Most connections per service one client address (IPv6: "
            + "its /64) may hold before logging in (port 25: before MAIL; HTTPS: any); when a service is full, "
            + "the oldest of these is closed to make room. No off value."),
    MAX_IMAP_CONNECTIONS_PER_ACCOUNT("50", "Most IMAP connections one account may have open at once. No off "
            + "value."),
    LOGIN_TIMEOUT("60s", "Time from connect to a successful login (port 25: to the first MAIL) before the "
            + "connection is closed, however busy the client keeps it; each connection's deadline falls between 3/4 "
            + "of it and all of it, so that connections opened together are not all closed together. No off value."),
    LOGIN_FAILURES_BEFORE_DELAY("5", "Failed logins per client address within a minute (IMAP, SMTP and port "
            + "443 together) that are answered at once; each further wrong password is answered after a delay. "
            + "A large number turns the delay off."),
    LOGIN_FAILURE_DELAY("1s", "The first such delay; it doubles with each further failure up to "
            + "max_login_failure_delay. A right password is never delayed."),
    MAX_LOGIN_FAILURE_DELAY("15s", "The longest delay of an answer to a wrong password."),
    TLS_EXTERNAL_CERT_AND_KEY("", "Certificate chain and private key PEM files, two paths separated by a space; "
            + "reloaded when they change. Unset: self-signed or ACME, depending on mail_domain."),
    DISABLE_IPV6("false", "true: listen on IPv4 only (0.0.0.0) unless listen_addresses is set."),
    ACME_EMAIL("", "Contact address given to the ACME certificate authority (unset: none)."),
    ACME_DIRECTORY("https://acme-v02.api.letsencrypt.org/directory", "ACME directory (https URL) of the CA that issues "
            + "the certificate when neither tls_external_cert_and_key nor self-signed mode applies; "
            + "Let's Encrypt staging is https://acme-staging-v02.api.letsencrypt.org/directory."),
    IROH_RELAY("", "URL of the iroh relay announced to clients (unset: none)."),
    IMAP_COMPRESS("false", "true: offer IMAP COMPRESS=DEFLATE."),
    PRIVACY_POSTAL("", "Postal address of the operator, for the privacy policy page."),
    PRIVACY_MAIL("", "Contact e-mail of the operator, for the privacy policy and IMAP metadata."),
    PRIVACY_PDO("", "Data protection officer, for the privacy policy page."),
    PRIVACY_SUPERVISOR("", "Supervisory authority, for the privacy policy page."),
    WWW_FOLDER("", "Folder of web pages served instead of the built-in ones."),
    DATA_DIR("/var/lib/chatmail", "Where accounts, mail, keys and the queue are stored."),
    STORAGE("sqlite", "Where accounts, mail and queues are kept: sqlite (embedded in data_dir, one node) or "
            + "postgresql (shared by several identical nodes, see docs/scale-out.md). No off value."),
    POSTGRESQL_URL("", "With storage = postgresql (required then): JDBC URL of the database, such as "
            + "jdbc:postgresql://10.0.0.5:5432/chatmail?user=chatmail. With storage = sqlite only move-to-postgresql "
            + "reads it (the database to move into). Unset: not used."),
    POSTGRESQL_PASSWORD_FILE("", "With storage = postgresql: file whose first line is the database password, "
            + "so it stays out of chatmail.ini. Unset: the password in postgresql_url, or none."),
    LISTEN_ADDRESSES("", "Comma-separated IP addresses to listen on (unset: ::, which also accepts IPv4; "
            + "0.0.0.0 when disable_ipv6)."),
    SMTP_PORT("25", "SMTP port for mail from other servers (MX); 0 = off."),
    SUBMISSION_PORT("587", "SMTP submission port with STARTTLS; 0 = off."),
    SUBMISSIONS_PORT("465", "SMTP submission port with implicit TLS; 0 = off."),
    IMAP_PORT("143", "IMAP port with STARTTLS; 0 = off."),
    IMAPS_PORT("993", "IMAP port with implicit TLS; 0 = off."),
    HTTP_PORT("80", "HTTP port (redirects, ACME HTTP-01 challenges); 0 = off."),
    HTTPS_PORT("443", "HTTPS port, also carrying IMAP and SMTP by ALPN and ACME TLS-ALPN-01 challenges; 0 = off."),
    DNS_RESOLVER("", "DNS server as host[:port] (unset: the system's resolver)."),
    NOTIFY_URL("https://notifications.delta.chat/notify", "Where push notification tokens are sent."),
    DKIM_SELECTOR("opendkim", "DKIM selector: the key is published at <selector>._domainkey.<domain>."),
    TURN_SERVER("", "Another TURN server as host:port (not an IPv6 literal) announced to clients instead of ours; "
            + "needs turn_secret. Unset: ours, when turn_port is not 0; else no TURN entry."),
    TURN_SECRET("", "Shared secret of the TURN REST credential scheme. Unset with our own TURN server: "
            + "a random one made at first start in data_dir/turn_secret."),
    TURN_CREDENTIAL_LIFETIME("5d", "How long TURN credentials stay valid: seconds, or a number with s, m, h or d "
            + "(below 1 day is a warning)."),
    TURN_PORT("3478", "UDP port of our own TURN server for calls; not started when turn_server is set; 0 = off."),
    TURN_EXTERNAL_ADDRESS("", "Public IP address announced as relayed address, for a relay behind 1:1 NAT "
            + "(unset: the address of the socket)."),
    TURN_RELAY_PORTS("49152-65535", "UDP ports of relayed addresses, one per call leg: low-high."),
    TURN_ALLOW_PRIVATE_PEERS("false", "true: TURN may relay to loopback, private and this machine's addresses "
            + "(tests only; never on a public relay)."),
    APPVERSIONS_FILE("", "JSON file served as app version information (unset: no entry)."),
    TRUSTED_CA_FILE("", "PEM file of extra certificate authorities trusted for outbound TLS and the ACME directory, besides the system's."),
    OUTBOUND_SMTP_PORT("25", "Port used to deliver mail to other servers."),
    OUTBOUND_HTTPS_PORT("443", "Port used for outbound HTTPS (e.g. MTA-STS policies)."),
    METRICS_ADDRESS("", "Prometheus metrics over plain HTTP at http://<host:port>/metrics, such as 127.0.0.1:9100; "
            + "unset: off. Bind it to loopback or a private address."),
    MTAIL_ADDRESS("", "The reference relay's mtail address: an IP here means metrics_address = <IP>:3903 "
            + "(our metrics, not mtail's). Ignored when metrics_address is set."),
    OUTBOUND_CONNECT_TIMEOUT("10s", "Outbound delivery: longest wait for a TCP connection to another server (SMTP and /mxdeliv)."),
    OUTBOUND_COMMAND_TIMEOUT("5m", "Outbound SMTP: longest wait for the greeting and for each reply before the message "
            + "is sent (RFC 5321 4.5.3.2: 5 minutes)."),
    OUTBOUND_DATA_TIMEOUT("10m", "Outbound delivery: longest wait for the answer after the whole message was sent "
            + "(RFC 5321 4.5.3.2: 10 minutes), and for a whole /mxdeliv request."),
    OUTBOUND_ATTEMPT_TIMEOUT("30m", "Outbound delivery: one attempt to deliver to a destination (all its servers, "
            + "/mxdeliv and SMTP) ends after this, however slowly a server answers; the mail is retried later."),
    ALLOW_PRIVATE_DESTINATIONS("false", "true: also deliver to servers on loopback, private, link-local or multicast "
            + "addresses and to this relay's own addresses (tests and closed networks). false (off): refused, "
            + "the sender gets a bounce."),
    ;

    private final String defaultText;
    private final String meaning;

    ConfigKey(String defaultText, String meaning) {
        this.defaultText = defaultText;
        this.meaning = meaning;
    }

    /** The exact name in {@code chatmail.ini}. */
    public String iniName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The default as it would be written in the file; empty means unset. */
    public String defaultText() {
        return defaultText;
    }

    public String meaning() {
        return meaning;
    }

    public static Optional<ConfigKey> byIniName(String name) {
        return Arrays.stream(values()).filter(k -> k.iniName().equals(name)).findFirst();
    }
}
