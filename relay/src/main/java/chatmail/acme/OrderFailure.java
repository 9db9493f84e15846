package chatmail.acme;

import java.time.Duration;
import java.util.Optional;

/**
 * An order (or a question to the CA) that did not succeed, with the reason in one line, as the
 * log shows it, and how long the CA asked the relay to wait ({@code Retry-After}), if it did.
 */
public final class OrderFailure extends Exception {
    private final transient Optional<Duration> retryAfter;

    public OrderFailure(String reason, Optional<Duration> retryAfter, Throwable cause) {
        super(reason.replaceAll("\\s+", " ").strip(), cause);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
