package chatmail.account;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing (SPEC IMAP-7): after failed logins from one client address,
 * further attempts from it wait a little longer each time, up to a cap. Successful logins are
 * not slowed, and failures are forgotten after a quiet period.
 */
public final class LoginThrottle {

    private record Failures(int count, Instant last) {}

    private final Clock clock;
    private final Duration step;
    private final Duration max;
    private final Duration forgetAfter;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock, Duration step, Duration max, Duration forgetAfter) {
        this.clock = clock;
        this.step = step;
        this.max = max;
        this.forgetAfter = forgetAfter;
    }

    public static LoginThrottle standard(Clock clock) {
        return new LoginThrottle(clock, Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofMinutes(15));
    }

    /** How long to wait before answering a login attempt from this client. */
    public Duration delayFor(InetAddress client) {
        Failures f = failures.get(key(client));
        if (f == null) {
            return Duration.ZERO;
        }
        if (clock.instant().isAfter(f.last().plus(forgetAfter))) {
            failures.remove(key(client), f);
            return Duration.ZERO;
        }
        // The first two failures are typing errors; slow down from the third.
        long n = Math.max(0, f.count() - 2);
        Duration d = step.multipliedBy(n);
        return d.compareTo(max) > 0 ? max : d;
    }

    public void failed(InetAddress client) {
        Instant now = clock.instant();
        failures.merge(key(client), new Failures(1, now), (a, b) -> new Failures(a.count() + 1, now));
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> now.isAfter(e.getValue().last().plus(forgetAfter)));
        }
    }

    public void succeeded(InetAddress client) {
        failures.remove(key(client));
    }

    /** Waits the delay for this client; the caller is a virtual thread, so waiting is cheap. */
    public void pause(InetAddress client) throws InterruptedException {
        Duration d = delayFor(client);
        if (!d.isZero()) {
            Thread.sleep(d);
        }
    }

    private static String key(InetAddress a) {
        return a == null ? "?" : a.getHostAddress();
    }
}
