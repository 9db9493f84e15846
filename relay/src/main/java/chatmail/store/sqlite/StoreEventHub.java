package chatmail.store.sqlite;

import chatmail.store.MailboxEvents;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands committed mailbox changes to the listeners of the account they belong to. */
public final class StoreEventHub implements MailboxEvents {
    private static final Logger log = LoggerFactory.getLogger(StoreEventHub.class);

    private final ConcurrentHashMap<Long, List<Listener>> listeners = new ConcurrentHashMap<>();

    @Override
    public Subscription subscribe(long accountId, Listener listener) {
        listeners.compute(accountId, (id, list) -> {
            List<Listener> present = list == null ? new CopyOnWriteArrayList<>() : list;
            present.add(listener);
            return present;
        });
        return () -> listeners.computeIfPresent(accountId, (id, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** The accounts that have a listener now (a node re-checks them after missing events). */
    public java.util.Set<Long> subscribedAccounts() {
        return java.util.Set.copyOf(listeners.keySet());
    }

    public void publish(MailboxEvent event) {
        List<Listener> subscribed = listeners.get(event.accountId());
        if (subscribed == null) {
            return;
        }
        for (Listener listener : subscribed) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("mailbox event listener failed", e);
            }
        }
    }
}
