package chatmail.acme;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The issuer domain a CAA record must name so that the CA behind {@code acme_directory} may
 * issue for the relay's domain (RFC 8659). A CA publishes it in its directory's
 * {@code meta.caaIdentities} (RFC 8555 7.1.1), but {@code chatmail dns} runs before the relay
 * has ever talked to the CA and must work offline, so the well-known CAs are listed here by
 * their directory host; for any other CA no CAA record is recommended rather than a wrong one,
 * which would make every order fail.
 */
public final class CaaIdentity {

    private static final Map<String, String> BY_DIRECTORY_HOST = Map.of(
            "acme-v02.api.letsencrypt.org", "letsencrypt.org",
            "acme-staging-v02.api.letsencrypt.org", "letsencrypt.org",
            "acme.zerossl.com", "sectigo.com",
            "api.buypass.com", "buypass.com",
            "api.test4.buypass.no", "buypass.com",
            "dv.acme-v02.api.pki.goog", "pki.goog",
            "dv.acme-v02.test-api.pki.goog", "pki.goog");

    private CaaIdentity() {}

    /** The CAA issuer domain of the CA at {@code directory}, if it is one of the known CAs. */
    public static Optional<String> of(URI directory) {
        String host = directory.getHost();
        return host == null ? Optional.empty()
                : Optional.ofNullable(BY_DIRECTORY_HOST.get(host.toLowerCase(Locale.ROOT)));
    }
}
