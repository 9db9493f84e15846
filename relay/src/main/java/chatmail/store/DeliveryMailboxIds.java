package chatmail.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The mailbox ids this node delivered to lately, so a delivery does not look its INBOX up again:
 * a round trip per message to PostgreSQL (issue 16), and on SQLite a read through a reader
 * thread, two hand-offs on the way of every message from another relay (issue 17). An id stays
 * right for as long as it exists: mailboxes are never renamed or deleted, only with their
 * account, and account and mailbox ids are never reused. A delivery to an account deleted on
 * another node or by another process fails on the missing mailbox as it would after a fresh
 * look-up. Bounded, least recently used first out; a store forgets an account it deletes.
 */
public final class DeliveryMailboxIds {
    private record Key(long accountId, String name) {}

    /** About 100 bytes an entry: a node delivering to this many accounts in turn still looks each up. */
    public static final int CAPACITY = 10_000;

    private final Map<Key, Long> ids;

    public DeliveryMailboxIds(int capacity) {
        this.ids = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized OptionalLong get(long accountId, String name) {
        Long id = ids.get(new Key(accountId, name));
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /** The remembered id, or the one {@code lookUp} finds (outside the lock: it is a store round trip), then remembered. */
    public long id(long accountId, String name, LongSupplier lookUp) {
        OptionalLong known = get(accountId, name);
        if (known.isPresent()) {
            return known.getAsLong();
        }
        long id = lookUp.getAsLong();
        put(accountId, name, id);
        return id;
    }

    public synchronized void put(long accountId, String name, long mailboxId) {
        ids.put(new Key(accountId, name), mailboxId);
    }

    public synchronized void forgetAccount(long accountId) {
        ids.keySet().removeIf(key -> key.accountId() == accountId);
    }

    public synchronized int size() {
        return ids.size();
    }
}
