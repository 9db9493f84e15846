package chatmail.policy;

import chatmail.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SMTP-3 send rate limit per sender: GCRA (generic cell rate algorithm). Each key keeps one number,
 * its theoretical arrival time (TAT). A message at time {@code now} passes when
 * {@code max(TAT, now) - now <= (burst - 1) * T}, with {@code T = 1 minute / rate}, and then moves the
 * TAT by T. So exactly {@code burst} messages pass at once, and one more each T afterwards.
 *
 * <p>Memory: a key whose TAT is in the past is at full capacity and equals an absent key, so it is
 * dropped. Sweeps run lazily from {@link #check} at most once per sweep interval (one caller does it;
 * the others do not wait). Per-key updates are atomic via {@link ConcurrentHashMap#compute}; the sweep
 * removes entries only by conditional remove, so it never loses a concurrent update.
 */
public final class RateLimiter {

    private static final long NANOS_PER_MINUTE = Duration.ofMinutes(1).toNanos();

    private final Clock clock;
    private final long emissionIntervalNanos;
    private final long toleranceNanos;
    private final long sweepIntervalNanos;
    private final ConcurrentHashMap<String, Long> tatByKey = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    public RateLimiter(int perMinute, int burst, Clock clock) {
        this(perMinute, burst, clock, Duration.ofMinutes(1));
    }

    public RateLimiter(int perMinute, int burst, Clock clock, Duration sweepInterval) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("max_user_send_per_minute must be positive: " + perMinute);
        }
        if (burst <= 0) {
            throw new IllegalArgumentException("max_user_send_burst_size must be positive: " + burst);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.emissionIntervalNanos = NANOS_PER_MINUTE / perMinute;
        this.toleranceNanos = emissionIntervalNanos * (burst - 1);
        this.sweepIntervalNanos = sweepInterval.toNanos();
        this.nextSweep = new AtomicLong(nowNanos() + sweepIntervalNanos);
    }

    public static RateLimiter fromConfig(Config config, Clock clock) {
        return new RateLimiter(config.maxUserSendPerMinute(), config.maxUserSendBurstSize(), clock);
    }

    /** Accept and count one message from {@code sender}, or reject with {@code 450 4.7.1}. */
    public Verdict check(String sender) {
        return tryAcquire(sender) ? Verdict.accept() : Verdict.reject(Replies.tooMuchMailFrom(sender));
    }

    /** True (and counted) when one more message from this sender is within the limit. */
    public boolean tryAcquire(String sender) {
        long now = nowNanos();
        sweepIfDue(now);
        boolean[] allowed = new boolean[1];
        tatByKey.compute(key(sender), (k, tat) -> {
            long start = tat == null ? now : Math.max(tat, now);
            if (start - now > toleranceNanos) {
                return tat; // refused: state unchanged
            }
            allowed[0] = true;
            return start + emissionIntervalNanos;
        });
        return allowed[0];
    }

    /** Drop every key that is back at full capacity. */
    public void sweep() {
        long now = nowNanos();
        tatByKey.entrySet().removeIf(e -> e.getValue() <= now);
    }

    /** Number of senders currently tracked (those not at full capacity, plus any not yet swept). */
    public int trackedSenders() {
        return tatByKey.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now >= due && nextSweep.compareAndSet(due, now + sweepIntervalNanos)) {
            tatByKey.entrySet().removeIf(e -> e.getValue() <= now);
        }
    }

    private static String key(String sender) {
        return sender.toLowerCase(Locale.ROOT);
    }

    private long nowNanos() {
        Instant i = clock.instant();
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }
}
