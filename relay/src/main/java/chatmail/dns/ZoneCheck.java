package chatmail.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Compares the records a relay needs with what the DNS answers (OPS-2 {@code dns --check}).
 * Checks what matters for mail to work rather than byte equality: an address record the
 * relay's address, the MX pointing at the domain, the DKIM key equal to ours, a CNAME or any
 * address for {@code mta-sts}/{@code www}, TXT policies of the right kind.
 */
public final class ZoneCheck {

    public enum Status { OK, MISSING, WRONG, UNKNOWN }

    public record Finding(ZoneRecord expected, Status status, String found) {
        public boolean problem() {
            return status != Status.OK;
        }
    }

    private ZoneCheck() {}

    public static List<Finding> check(List<ZoneRecord> records, DnsResolver dns) {
        List<Finding> findings = new ArrayList<>();
        for (ZoneRecord r : records) {
            try {
                findings.add(checkOne(r, dns));
            } catch (DnsTemporaryException e) {
                findings.add(new Finding(r, Status.UNKNOWN, e.getMessage()));
            }
        }
        return findings;
    }

    private static Finding checkOne(ZoneRecord r, DnsResolver dns) throws DnsTemporaryException {
        List<Record> live = recordsOf(dns.query(r.name(), Type.value(r.type())));
        if (r.placeholder()) {
            // The address is unknown here: any address record of either family will do.
            boolean any = !live.isEmpty() || !recordsOf(dns.query(r.name(), r.type().equals("A") ? Type.AAAA : Type.A)).isEmpty();
            return new Finding(r, any ? Status.OK : Status.MISSING, "");
        }
        if (r.type().equals("CNAME") && live.isEmpty()) {
            // An address record instead of the CNAME works as well.
            boolean addresses = !recordsOf(dns.query(r.name(), Type.A)).isEmpty()
                    || !recordsOf(dns.query(r.name(), Type.AAAA)).isEmpty();
            return new Finding(r, addresses ? Status.OK : Status.MISSING, "");
        }
        if (live.isEmpty()) {
            return new Finding(r, Status.MISSING, "");
        }
        List<String> found = new ArrayList<>();
        for (Record record : live) {
            found.add(describe(record));
            if (matches(r, record)) {
                return new Finding(r, Status.OK, describe(record));
            }
        }
        return new Finding(r, Status.WRONG, String.join(" | ", found));
    }

    private static List<Record> recordsOf(DnsAnswer answer) {
        return answer instanceof DnsAnswer.Records records ? records.records() : List.of();
    }

    private static boolean matches(ZoneRecord expected, Record record) {
        String value = expected.joined();
        return switch (record) {
            case ARecord a -> sameAddress(a.getAddress(), value);
            case AAAARecord a -> sameAddress(a.getAddress(), value);
            case MXRecord mx -> sameName(mx.getTarget().toString(), value.substring(value.indexOf(' ') + 1));
            case CNAMERecord c -> sameName(c.getTarget().toString(), value);
            case SRVRecord srv -> {
                String[] parts = value.split("\\s+");
                yield srv.getPort() == Integer.parseInt(parts[2]) && sameName(srv.getTarget().toString(), parts[3]);
            }
            case TXTRecord txt -> txtMatches(expected, String.join("", txt.getStrings()));
            default -> {
                String text = record.rdataToString().toLowerCase(Locale.ROOT);
                String issuer = value.substring(value.indexOf('"') + 1, value.lastIndexOf('"')).toLowerCase(Locale.ROOT);
                yield record.getType() == Type.CAA && text.contains("issue") && text.contains("\"" + issuer + "\"");
            }
        };
    }

    private static boolean txtMatches(ZoneRecord expected, String live) {
        String want = expected.joined();
        if (expected.name().startsWith("_mta-sts.")) {
            return live.startsWith("v=STSv1");
        }
        if (want.startsWith("v=spf1")) {
            return live.startsWith("v=spf1");
        }
        return squeeze(live).equalsIgnoreCase(squeeze(want));
    }

    private static String squeeze(String s) {
        return s.replaceAll("\\s+", "");
    }

    private static boolean sameAddress(InetAddress live, String expected) {
        try {
            return live.equals(InetAddress.getByName(expected));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean sameName(String a, String b) {
        String x = a.endsWith(".") ? a : a + ".";
        String y = b.endsWith(".") ? b : b + ".";
        return x.equalsIgnoreCase(y);
    }

    private static String describe(Record record) {
        return Type.string(record.getType()) + " " + record.rdataToString();
    }

    /**
     * The authoritative servers of the zone holding {@code domain}: NS of the domain or of the
     * nearest parent that has NS records, their addresses looked up with {@code dns}.
     */
    public static List<InetSocketAddress> authoritativeServers(String domain, DnsResolver dns) throws DnsTemporaryException {
        String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        while (name.contains(".")) {
            List<Record> ns = recordsOf(dns.query(name, Type.NS));
            if (!ns.isEmpty()) {
                List<InetSocketAddress> servers = new ArrayList<>();
                for (Record r : ns) {
                    for (InetAddress a : dns.addresses(((NSRecord) r).getTarget().toString(), false)) {
                        servers.add(new InetSocketAddress(a, 53));
                    }
                }
                if (!servers.isEmpty()) {
                    return servers;
                }
            }
            name = name.substring(name.indexOf('.') + 1);
        }
        throw new DnsTemporaryException("no authoritative name server found for " + domain);
    }

    /** Timeout for the check's questions. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
}
