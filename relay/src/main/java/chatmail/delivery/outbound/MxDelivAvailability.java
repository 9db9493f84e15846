package chatmail.delivery.outbound;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which MX hosts recently showed they have no {@code /mxdeliv} (DLV-2): those are reached over
 * SMTP only, for {@code memory} (30 minutes) after the failed HTTPS attempt, instead of paying a
 * failing HTTPS round trip on every message.
 */
final class MxDelivAvailability {

    private final Clock clock;
    private final Duration memory;
    private final ConcurrentHashMap<String, Instant> smtpOnlyUntil = new ConcurrentHashMap<>();

    MxDelivAvailability(Clock clock, Duration memory) {
        this.clock = clock;
        this.memory = memory;
    }

    boolean mayTry(String host) {
        String key = host.toLowerCase(Locale.ROOT);
        Instant until = smtpOnlyUntil.get(key);
        if (until == null) {
            return true;
        }
        if (!clock.instant().isBefore(until)) {
            smtpOnlyUntil.remove(key, until);
            return true;
        }
        return false;
    }

    void unavailable(String host) {
        smtpOnlyUntil.put(host.toLowerCase(Locale.ROOT), clock.instant().plus(memory));
    }
}
