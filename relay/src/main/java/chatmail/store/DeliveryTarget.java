package chatmail.store;

import java.util.Set;

/** Where one copy of a delivered message goes, and with which flags. */
public record DeliveryTarget(long mailboxId, Set<String> flags) {
    public DeliveryTarget {
        flags = Set.copyOf(flags);
    }
}
