package chatmail.store.sqlite;

import chatmail.store.MailStore.FlagUpdate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The flags of one message in their stored form: system flags in their RFC 3501 spelling,
 * keywords as first given, duplicates removed ignoring case, sorted, joined by spaces.
 */
public final class FlagSet {
    public static final String SEEN = "\\Seen";
    private static final List<String> SYSTEM_FLAGS =
            List.of("\\Answered", "\\Flagged", "\\Deleted", SEEN, "\\Draft");

    private FlagSet() {}

    /** Checks and normalizes flags from a caller; {@code \Recent} is a session state and dropped. */
    public static TreeSet<String> normalize(Collection<String> flags) {
        TreeSet<String> result = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String flag : flags) {
            if (flag == null || flag.isEmpty() || flag.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("invalid flag");
            }
            if (flag.startsWith("\\")) {
                if (flag.equalsIgnoreCase("\\Recent")) {
                    continue;
                }
                result.add(SYSTEM_FLAGS.stream().filter(flag::equalsIgnoreCase).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown system flag")));
            } else {
                result.add(flag);
            }
        }
        return result;
    }

    public static String encode(Collection<String> normalized) {
        return String.join(" ", normalized);
    }

    public static TreeSet<String> decode(String stored) {
        TreeSet<String> result = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (!stored.isEmpty()) {
            result.addAll(List.of(stored.split(" ")));
        }
        return result;
    }

    public static Set<String> decodeToSet(String stored) {
        return stored.isEmpty() ? Set.of() : Set.of(stored.split(" "));
    }

    /** The stored form after applying the update to the stored form {@code current}. */
    public static String apply(String current, FlagUpdate update, TreeSet<String> change) {
        TreeSet<String> result = switch (update) {
            case REPLACE -> new TreeSet<>(change);
            case ADD -> {
                TreeSet<String> flags = decode(current);
                flags.addAll(change);
                yield flags;
            }
            case REMOVE -> {
                TreeSet<String> flags = decode(current);
                flags.removeAll(change);
                yield flags;
            }
        };
        return encode(result);
    }

    public static boolean isSeen(String stored) {
        return decode(stored).contains(SEEN);
    }
}
