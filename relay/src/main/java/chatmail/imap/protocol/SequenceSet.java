package chatmail.imap.protocol;

import java.util.List;

/**
 * An IMAP sequence set ({@code 1,3:5,7:*}) over message sequence numbers or UIDs. {@code *}
 * stands for the largest number in use and is resolved only when the set is applied, so
 * {@code 5:*} with a largest number of 4 means {@code 4:5} (RFC 3501 section 6.4.8).
 */
public record SequenceSet(List<Range> ranges) {
    /** The value {@code *} before resolution. */
    public static final long STAR = -1;
    /** Sequence numbers and UIDs are 32-bit unsigned. */
    public static final long MAX_NUMBER = 0xFFFF_FFFFL;

    public SequenceSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("empty sequence set");
        }
    }

    public static SequenceSet of(long from, long to) {
        return new SequenceSet(List.of(new Range(from, to)));
    }

    /** One element: a single number ({@code from == to}) or a range, either end may be {@link #STAR}. */
    public record Range(long from, long to) {
        public Range {
            if (!valid(from) || !valid(to)) {
                throw new IllegalArgumentException("sequence number out of range");
            }
        }

        private static boolean valid(long n) {
            return n == STAR || (n >= 1 && n <= MAX_NUMBER);
        }

        /** The lowest number covered once {@code *} means {@code largest}. */
        public long low(long largest) {
            return Math.min(resolve(from, largest), resolve(to, largest));
        }

        public long high(long largest) {
            return Math.max(resolve(from, largest), resolve(to, largest));
        }

        private static long resolve(long n, long largest) {
            return n == STAR ? largest : n;
        }
    }

    /** True when {@code n} is in the set once {@code *} means {@code largest}. */
    public boolean contains(long n, long largest) {
        for (Range r : ranges) {
            if (n >= r.low(largest) && n <= r.high(largest)) {
                return true;
            }
        }
        return false;
    }

    /** True when some element is, or ends with, {@code *}. */
    public boolean usesStar() {
        return ranges.stream().anyMatch(r -> r.from() == STAR || r.to() == STAR);
    }

    /** The largest number named explicitly (not through {@code *}), or 0 when there is none. */
    public long largestExplicit() {
        long max = 0;
        for (Range r : ranges) {
            max = Math.max(max, Math.max(r.from(), r.to()));
        }
        return max;
    }

    /** Wire form: {@code 1,3:5,7:*}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(r.from() == STAR ? "*" : Long.toString(r.from()));
            if (r.from() != r.to()) {
                sb.append(':').append(r.to() == STAR ? "*" : Long.toString(r.to()));
            }
        }
        return sb.toString();
    }
}
