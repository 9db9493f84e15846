package chatmail.web;

import chatmail.account.CredentialGenerator;
import chatmail.account.DcLoginLink;
import chatmail.config.Config;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code /new} (ACC-4): random credentials as JSON. Nothing is created here: the first login
 * with them creates the account. A browser's GET goes on to Delta Chat through the
 * {@code dcaccount:} scheme; on a self-signed relay the answer also carries a {@code dclogin:}
 * link that tells Delta Chat where to connect and to accept the certificate.
 */
final class NewAccountEndpoint {

    /**
     * Where clients should connect with implicit TLS: the host, and the ports as actually bound
     * (dev mode binds others than 993 and 465).
     */
    record MailServers(String host, int imaps, int submissions) {}

    static final String BUSY = "too many new accounts requested from your address; try again in a moment";

    private final Config config;
    private final CredentialGenerator generator;
    /** True, and counted, when this client may have one more set of credentials now (ACC-4). */
    private final Predicate<InetAddress> rateLimit;
    private final Supplier<MailServers> mailServers;

    NewAccountEndpoint(Config config, CredentialGenerator generator, Predicate<InetAddress> rateLimit,
            Supplier<MailServers> mailServers) {
        this.config = config;
        this.generator = generator;
        this.rateLimit = rateLimit;
        this.mailServers = mailServers;
    }

    boolean selfSigned() {
        return config.tlsMode() == Config.TlsMode.SELF_SIGNED;
    }

    Reply handle(String method, InetAddress client) {
        boolean get = method.equals("GET");
        if (!get && !method.equals("POST")) {
            return Reply.jsonError(405, "use POST").withHeader("Allow", "GET, POST");
        }
        if (get && !selfSigned()) {
            return Reply.redirect(301, Invite.accountLink(config));
        }
        return credentials(client)
                .map(fields -> Reply.json(200, fields))
                .orElseGet(() -> Reply.jsonError(429, BUSY).withHeader("Retry-After", "1"))
                .withHeader("Cache-Control", "no-store");
    }

    /** Fresh credentials for this client, or empty when it asked too often just now. */
    Optional<Map<String, String>> credentials(InetAddress client) {
        if (!rateLimit.test(client)) {
            return Optional.empty();
        }
        CredentialGenerator.Credentials c = generator.next();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("email", c.email());
        fields.put("password", c.password());
        if (selfSigned()) {
            fields.put("dclogin_url", dcLogin(c));
        }
        return Optional.of(fields);
    }

    private String dcLogin(CredentialGenerator.Credentials c) {
        MailServers servers = mailServers.get();
        if (config.ipOnly() || servers.imaps() != 993 || servers.submissions() != 465) {
            return DcLoginLink.withServers(c.email(), c.password(), servers.host(), servers.imaps(),
                    servers.submissions());
        }
        return DcLoginLink.of(c.email(), c.password());
    }
}
