package chatmail.acme;

import chatmail.config.Config;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.tls.CertificateNames;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names an ACME certificate carries (OPS-1): the mail domain always; {@code www.},
 * {@code mta-sts.} and {@code autoconfig.} only while they resolve (through {@code
 * dns_resolver} when set), since a CA refuses the whole order when one name fails.
 *
 * @param wanted the names to order, the domain first
 * @param missing the other names that do not resolve now (or whose lookup failed)
 * @param fingerprint every name with its addresses: a changed fingerprint means DNS changed
 */
record ResolvedNames(List<String> wanted, List<String> missing, String fingerprint) {

    ResolvedNames {
        wanted = List.copyOf(wanted);
        missing = List.copyOf(missing);
    }

    Set<String> wantedSet() {
        return new LinkedHashSet<>(wanted);
    }

    static ResolvedNames look(Config config, DnsResolver dns) {
        String domain = config.mailDomain();
        List<String> others = CertificateNames.forConfig(config).dnsNames().stream()
                .filter(n -> !n.equals(domain))
                .sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .toList();
        List<String> wanted = new ArrayList<>(List.of(domain));
        List<String> missing = new ArrayList<>();
        StringBuilder fingerprint = new StringBuilder(domain).append('=').append(addresses(dns, domain));
        for (String name : others) {
            String found = addresses(dns, name);
            fingerprint.append(';').append(name).append('=').append(found);
            if (found.isEmpty() || found.equals("?")) {
                missing.add(name);
            } else {
                wanted.add(name);
            }
        }
        return new ResolvedNames(wanted, missing, fingerprint.toString());
    }

    /** The sorted addresses, empty when there are none, "?" when the lookup failed. */
    private static String addresses(DnsResolver dns, String name) {
        try {
            return String.join(",", dns.addresses(name, false).stream().map(InetAddress::getHostAddress).sorted().toList());
        } catch (DnsTemporaryException e) {
            return "?";
        }
    }
}
