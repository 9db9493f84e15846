package chatmail.tls;

import chatmail.config.Config;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The subject alternative names a relay's certificate must carry: the mail domain and the
 * web names clients and other servers look up (www, mta-sts, autoconfig), or the address of
 * an IP-only relay (CFG-3).
 */
public record CertificateNames(Set<String> dnsNames, Set<String> ipAddresses) {

    public CertificateNames {
        dnsNames = Set.copyOf(dnsNames);
        ipAddresses = Set.copyOf(ipAddresses);
    }

    public static CertificateNames forConfig(Config config) {
        String domain = config.mailDomain();
        if (config.ipOnly()) {
            return new CertificateNames(Set.of(), Set.of(domain));
        }
        Set<String> dns = new LinkedHashSet<>(List.of(
                domain, "www." + domain, "mta-sts." + domain, "autoconfig." + domain));
        if (domain.endsWith(".localhost")) {
            // Development set-ups connect to "localhost" as often as to the relay's name.
            dns.add("localhost");
        }
        return new CertificateNames(dns, Set.of());
    }

    /** The names a certificate carries in its subjectAltName extension. */
    public static CertificateNames of(X509Certificate certificate) throws CertificateParsingException {
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names != null) {
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                if (type == 2) {
                    dns.add((String) name.get(1));
                } else if (type == 7) {
                    ips.add((String) name.get(1));
                }
            }
        }
        return new CertificateNames(dns, ips);
    }
}
