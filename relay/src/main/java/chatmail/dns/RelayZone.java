package chatmail.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The DNS records a relay needs (OPS-2), as the reference relay's {@code cmdeploy dns} lists
 * them. Required: A/AAAA, {@code MX 10 <domain>.}, {@code _mta-sts} TXT, {@code mta-sts} and
 * {@code www} CNAMEs, the DKIM key TXT. Recommended: SPF, DMARC (strict alignment, reject),
 * the {@code autoconfig} CNAME, CAA for the CA that issues the relay's certificate (when it is
 * known) and SRV records for the client ports.
 */
public final class RelayZone {

    public static final int TTL = 3600;
    /** The MTA-STS policy the web server publishes (WEB-2); its digest is the TXT record's id. */
    static final String MTA_STS_MAX_AGE = "2419200";

    private RelayZone() {}

    /**
     * @param domain the mail domain
     * @param addresses the relay's public addresses; empty prints placeholders
     * @param dkimSelector the selector of {@code dkimTxtStrings}
     * @param dkimTxtStrings the DKIM key record split into strings of at most 255 characters
     * @param caaIssuer the issuer domain of the CA the relay orders its certificate from; empty
     *        when it is not known (an operator's own certificate, an unlisted ACME CA): no CAA record
     */
    public static List<ZoneRecord> records(String domain, List<InetAddress> addresses, String dkimSelector,
            List<String> dkimTxtStrings, Optional<String> caaIssuer) {
        String d = domain.endsWith(".") ? domain : domain + ".";
        List<ZoneRecord> records = new ArrayList<>();
        boolean any4 = false;
        boolean any6 = false;
        for (InetAddress a : addresses) {
            boolean v6 = a instanceof Inet6Address;
            any4 |= !v6;
            any6 |= v6;
            records.add(ZoneRecord.of(d, v6 ? "AAAA" : "A", a.getHostAddress().replaceAll("%.*$", ""), true));
        }
        if (!any4 && !any6) {
            records.add(new ZoneRecord(d, "A", List.of("192.0.2.1"), true, true));
            records.add(new ZoneRecord(d, "AAAA", List.of("2001:db8::1"), true, true));
        }
        records.add(ZoneRecord.of(d, "MX", "10 " + d, true));
        records.add(new ZoneRecord("_mta-sts." + d, "TXT", List.of("v=STSv1; id=" + mtaStsId(domain)), true, false));
        records.add(ZoneRecord.of("mta-sts." + d, "CNAME", d, true));
        records.add(ZoneRecord.of("www." + d, "CNAME", d, true));
        records.add(new ZoneRecord(dkimSelector + "._domainkey." + d, "TXT", dkimTxtStrings, true, false));

        records.add(new ZoneRecord(d, "TXT", List.of("v=spf1 a ~all"), false, false));
        records.add(new ZoneRecord("_dmarc." + d, "TXT", List.of("v=DMARC1;p=reject;adkim=s;aspf=s"), false, false));
        records.add(ZoneRecord.of("autoconfig." + d, "CNAME", d, false));
        caaIssuer.ifPresent(ca -> records.add(ZoneRecord.of(d, "CAA", "0 issue \"" + ca + "\"", false)));
        records.add(ZoneRecord.of("_submission._tcp." + d, "SRV", "0 1 587 " + d, false));
        records.add(ZoneRecord.of("_submissions._tcp." + d, "SRV", "0 1 465 " + d, false));
        records.add(ZoneRecord.of("_imap._tcp." + d, "SRV", "0 1 143 " + d, false));
        records.add(ZoneRecord.of("_imaps._tcp." + d, "SRV", "0 1 993 " + d, false));
        return records;
    }

    /**
     * A stable MTA-STS policy id: it must change when the policy changes (RFC 8461 3.1), and
     * the policy is a function of the domain, so a digest of the policy text is one.
     */
    static String mtaStsId(String domain) {
        String policy = "version: STSv1\nmode: enforce\nmx: " + domain + "\nmax_age: " + MTA_STS_MAX_AGE + "\n";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(policy.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The zone as text: required records first, then the recommended ones. */
    public static String bind(List<ZoneRecord> records) {
        StringBuilder out = new StringBuilder();
        out.append("; Required DNS records for this chatmail relay\n");
        records.stream().filter(ZoneRecord::required).forEach(r -> out.append(r.bindLine(TTL)).append('\n'));
        out.append(";\n; Recommended DNS records for interoperability and security\n");
        records.stream().filter(r -> !r.required()).forEach(r -> out.append(r.bindLine(TTL)).append('\n'));
        return out.toString();
    }
}
