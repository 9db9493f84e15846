package chatmail.bench;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay under test as the load generator sees it: where submission (implicit TLS) and IMAPS
 * listen, its mail domain, and the password every bench account uses. Accounts are
 * {@code b00000001@domain}, {@code b00000002@domain}, …: nine-character local parts that a
 * chatmail relay accepts and the baseline script creates as virtual users.
 *
 * @param sources local addresses to connect from, in turn (empty: the kernel's choice); several
 *     loopback addresses multiply the ephemeral ports available
 */
public record BenchTarget(String name, String host, int submissionsPort, int imapsPort, String domain,
                          String password, List<InetAddress> sources) {

    public static final String DEFAULT_PASSWORD = "benchpass123";

    private static final AtomicInteger NEXT_SOURCE = new AtomicInteger();

    public BenchTarget {
        sources = List.copyOf(sources);
    }

    /** The address of bench account {@code index} (0-based). */
    public String address(int index) {
        return String.format(Locale.ROOT, "b%08d@%s", index + 1, domain);
    }

    /** The next source address in turn, or null to let the kernel choose. */
    public InetAddress nextSource() {
        return sources.isEmpty() ? null : sources.get(Math.floorMod(NEXT_SOURCE.getAndIncrement(), sources.size()));
    }

    public boolean hasImap() {
        return imapsPort > 0;
    }
}
