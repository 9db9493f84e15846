package chatmail.delivery.outbound;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The outbound queue at a glance (OPS-3 status): recipients waiting, when the oldest of their
 * messages was queued, and the destinations with the most waiting (domain to count, largest first).
 */
public record QueueSummary(long recipients, Optional<Instant> oldest, Map<String, Long> byDestination) {
    public QueueSummary {
        byDestination = Map.copyOf(byDestination);
    }
}
