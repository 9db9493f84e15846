package chatmail.store;

import java.util.List;
import java.util.Optional;

/**
 * What the commit of an {@link Acceptance} stored: the stored messages of each copy, in order,
 * and the queue entries of its outbound copy, if it had one.
 */
public record Committed(List<List<StoredMessage>> copies, Optional<QueuedEntries> queued) {

    public Committed {
        copies = List.copyOf(copies);
    }
}
