package chatmail.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/** A CA's suggested renewal window for a certificate (ACME Renewal Information, RFC 9773). */
public record RenewalWindow(Instant start, Instant end) {

    public RenewalWindow {
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("window ends before it starts: " + start + " to " + end);
        }
    }

    /**
     * A uniformly random moment in the window (RFC 9773 4.2), so that relays renewing after a
     * mass revocation do not all arrive at once.
     */
    public Instant pick(RandomGenerator random) {
        long span = Duration.between(start, end).toMillis();
        return span <= 0 ? start : start.plusMillis(random.nextLong(span));
    }
}
