package chatmail.imap.protocol;

import java.util.List;
import java.util.Locale;

/**
 * A body section of FETCH ({@code BODY[1.2.HEADER.FIELDS (From To)]}): the MIME part path
 * (empty for the whole message) and what of that part is wanted.
 */
public record Section(List<Integer> part, Kind kind, List<String> fields) {

    public enum Kind {
        /** {@code BODY[]} or {@code BODY[1]}: the whole message or part. */
        ALL(""),
        HEADER("HEADER"),
        HEADER_FIELDS("HEADER.FIELDS"),
        HEADER_FIELDS_NOT("HEADER.FIELDS.NOT"),
        TEXT("TEXT"),
        /** The MIME header of a part; only with a part number. */
        MIME("MIME");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public Section {
        part = List.copyOf(part);
        fields = List.copyOf(fields);
    }

    public static final Section WHOLE = new Section(List.of(), Kind.ALL, List.of());

    /** Wire form as it appears between the brackets, field names upper-cased. */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        for (int p : part) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(p);
        }
        if (kind != Kind.ALL) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(kind.wire());
        }
        if (kind == Kind.HEADER_FIELDS || kind == Kind.HEADER_FIELDS_NOT) {
            sb.append(" (");
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(Wire.astring(fields.get(i).toUpperCase(Locale.ROOT)));
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
