package chatmail.dns;

import java.util.List;

/**
 * One record the operator publishes (OPS-2).
 *
 * @param name absolute, with the trailing dot
 * @param type A, AAAA, MX, TXT, CNAME, CAA or SRV
 * @param data the record data in zone-file syntax; for TXT the character-strings unquoted
 * @param required false for the recommended ones
 * @param placeholder true when {@code data} is a stand-in the operator must replace (an unknown address)
 */
public record ZoneRecord(String name, String type, List<String> data, boolean required, boolean placeholder) {

    public ZoneRecord {
        data = List.copyOf(data);
    }

    static ZoneRecord of(String name, String type, String data, boolean required) {
        return new ZoneRecord(name, type, List.of(data), required, false);
    }

    /** The data as one string: TXT strings joined, as resolvers hand them to applications. */
    public String joined() {
        return String.join("", data);
    }

    /** The record as one zone-file line. */
    public String bindLine(int ttl) {
        String rdata = type.equals("TXT")
                ? String.join(" ", data.stream().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList())
                : data.getFirst();
        String line = String.format("%-40s %d IN %-5s %s", name, ttl, type, rdata);
        return placeholder ? "; " + line + "   ; replace with this relay's public address" : line;
    }
}
