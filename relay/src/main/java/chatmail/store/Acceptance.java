package chatmail.store;

import java.util.List;
import java.util.Optional;

/**
 * Everything one accepted message puts into the store, committed together or not at all: its
 * copies into mailboxes (the message itself, and a bounce for its sender when some recipients
 * failed) and, for submitted mail, its queue entry for the remote recipients. One commit means a
 * crash can neither send a message whose local copies are lost nor keep copies of a message that
 * will never be sent (issue 11: the queue-first two-commit window).
 */
public record Acceptance(List<Copy> copies, Optional<QueuedCopy> queued) {

    public Acceptance {
        copies = List.copyOf(copies);
    }

    /** One message into some mailboxes. */
    public record Copy(NewMessage message, List<DeliveryTarget> targets) {
        public Copy {
            targets = List.copyOf(targets);
        }
    }
}
