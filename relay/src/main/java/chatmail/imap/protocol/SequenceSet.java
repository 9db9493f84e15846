package chatmail.imap.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * An IMAP sequence set ({@code 1,3:5,7:*}) over message sequence numbers or UIDs. {@code *}
 * stands for the largest number in use and is resolved only when the set is applied, so
 * {@code 5:*} with a largest number of 4 means {@code 4:5} (RFC 3501 section 6.4.8).
 *
 * <p>A set is never expanded into its numbers (SEC-4): {@link #resolve} turns it into at most
 * {@link #MAX_RANGES} sorted, disjoint ranges, so {@code 1:4294967295} costs one range and
 * applying a set to a mailbox costs in proportion to the mailbox and the ranges, not to the
 * numbers named.
 */
public record SequenceSet(List<Range> ranges) {
    /** The value {@code *} before resolution. */
    public static final long STAR = -1;
    /** Sequence numbers and UIDs are 32-bit unsigned. */
    public static final long MAX_NUMBER = 0xFFFF_FFFFL;
    /** SEC-4: more elements than this in one set are refused by the parser. */
    public static final int MAX_RANGES = 1000;

    public SequenceSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("empty sequence set");
        }
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("more than " + MAX_RANGES + " ranges in a sequence set");
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

    /**
     * The set once {@code *} means {@code largest}: sorted, overlapping and adjacent ranges
     * merged. Costs O(r log r) for r ranges, whatever numbers they span.
     */
    public Resolved resolve(long largest) {
        int n = ranges.size();
        long[][] pairs = new long[n][];
        for (int i = 0; i < n; i++) {
            Range r = ranges.get(i);
            pairs[i] = new long[] {r.low(largest), r.high(largest)};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        long[] lows = new long[n];
        long[] highs = new long[n];
        int count = 0;
        for (long[] p : pairs) {
            if (count > 0 && p[0] <= highs[count - 1] + 1) {
                highs[count - 1] = Math.max(highs[count - 1], p[1]);
            } else {
                lows[count] = p[0];
                highs[count] = p[1];
                count++;
            }
        }
        return new Resolved(Arrays.copyOf(lows, count), Arrays.copyOf(highs, count));
    }

    /**
     * A set with {@code *} resolved: disjoint ranges {@code [lows[i], highs[i]]} in ascending
     * order, with gaps between them.
     */
    public static final class Resolved {
        private final long[] lows;
        private final long[] highs;

        Resolved(long[] lows, long[] highs) {
            this.lows = lows;
            this.highs = highs;
        }

        public int size() {
            return lows.length;
        }

        public long low(int i) {
            return lows[i];
        }

        public long high(int i) {
            return highs[i];
        }

        /** Binary search: O(log r). */
        public boolean contains(long n) {
            int i = Arrays.binarySearch(lows, n);
            if (i >= 0) {
                return true;
            }
            int before = -i - 2;
            return before >= 0 && n <= highs[before];
        }
    }

    /**
     * True when {@code n} is in the set once {@code *} means {@code largest}. For one question;
     * a loop over messages resolves the set once instead.
     */
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
