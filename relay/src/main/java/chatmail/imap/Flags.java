package chatmail.imap;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Message flags from clients: the five system flags in their RFC spelling, and keywords. */
final class Flags {
    private static final List<String> SYSTEM = List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");

    private Flags() {}

    /**
     * The flags to store, system flags spelled as in RFC 3501; {@code \Recent} is dropped (the
     * server sets it, and this one never does).
     *
     * @throws IllegalArgumentException for an unknown system flag
     */
    static Set<String> parse(List<String> flags) {
        Set<String> result = new LinkedHashSet<>();
        for (String flag : flags) {
            if (flag.startsWith("\\")) {
                if (flag.equalsIgnoreCase("\\Recent")) {
                    continue;
                }
                result.add(SYSTEM.stream().filter(flag::equalsIgnoreCase).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("Invalid system flag")));
            } else {
                result.add(flag);
            }
        }
        return result;
    }
}
