package chatmail.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Failed logins per client across SMTP, IMAP and port 443 (SPEC SEC-3): the first
 * {@code free} failures within a minute are answered at once, each further one after a delay
 * that starts at {@code first} and doubles up to {@code max}. A delay of failures only: nobody
 * is locked out, and a right password is never delayed (the caller asks only after a failure).
 * A success does not clear the count, or one valid account would let a guesser reset it.
 */
final class LoginFailures {

    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Past this many failures in the window the delay is at its cap anyway. */
    private static final int REMEMBERED = 32;
    /** Clients remembered before stale ones are swept out. */
    private static final int SWEEP_ABOVE = 100_000;

    private final Clock clock;
    private final int free;
    private final Duration first;
    private final Duration max;
    private final Map<String, ArrayDeque<Long>> failures = new HashMap<>();

    LoginFailures(Clock clock, int free, Duration first, Duration max) {
        this.clock = clock;
        this.free = free;
        this.first = first;
        this.max = max;
    }

    /** Records a failure of this client; returns how long to wait before answering it. */
    synchronized Duration failed(String clientKey) {
        long now = clock.millis();
        ArrayDeque<Long> times = failures.computeIfAbsent(clientKey, k -> new ArrayDeque<>());
        forgetOld(times, now);
        if (times.size() == REMEMBERED) {
            times.removeFirst();
        }
        times.addLast(now);
        if (failures.size() > SWEEP_ABOVE) {
            failures.values().removeIf(t -> {
                forgetOld(t, now);
                return t.isEmpty();
            });
        }
        return delayFor(times.size());
    }

    /** The delay of the {@code n}-th failure within the window. */
    Duration delayFor(int n) {
        if (n <= free) {
            return Duration.ZERO;
        }
        int doublings = n - free - 1;
        if (doublings >= 31 || first.multipliedBy(1L << doublings).compareTo(max) > 0) {
            return max;
        }
        return first.multipliedBy(1L << doublings);
    }

    private static void forgetOld(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - WINDOW.toMillis()) {
            times.removeFirst();
        }
    }
}
