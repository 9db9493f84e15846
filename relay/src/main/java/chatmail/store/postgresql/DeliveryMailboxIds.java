package chatmail.store.postgresql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The mailbox ids this node delivered to lately, so a delivery does not look its INBOX up again
 * (a round trip per message, issue 16). An id stays right for as long as it exists: mailboxes
 * are never renamed or deleted, only with their account, and account ids are never reused. A
 * delivery to an account deleted on another node fails on the missing mailbox as it would after
 * a fresh look-up. Bounded, least recently used first out.
 */
final class DeliveryMailboxIds {
    private record Key(long accountId, String name) {}

    private final Map<Key, Long> ids;

    DeliveryMailboxIds(int capacity) {
        this.ids = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized OptionalLong get(long accountId, String name) {
        Long id = ids.get(new Key(accountId, name));
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    synchronized void put(long accountId, String name, long mailboxId) {
        ids.put(new Key(accountId, name), mailboxId);
    }

    synchronized void forgetAccount(long accountId) {
        ids.keySet().removeIf(key -> key.accountId() == accountId);
    }

    synchronized int size() {
        return ids.size();
    }
}
