package chatmail.limits;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The connections of one service: how many in all, per client, and which have not logged in
 * yet, oldest first. Every method runs under the table's lock; they only count and never block.
 */
final class ConnectionTable {

    /** What {@link #admit} decided: a refusal, or admitted and perhaps a connection to evict. */
    record Decision(ConnectionRefusal refusal, Admission victim) {}

    private static final class PerClient {
        int total;
        int unauthenticated;
    }

    final ConnectionService service;
    private final int cap;
    private final int perClient;
    private final int unauthenticatedPerClient;
    private int total;
    private final Map<String, PerClient> clients = new HashMap<>();
    /** Insertion order is age: the first is the one to evict. */
    private final LinkedHashSet<Admission> unauthenticated = new LinkedHashSet<>();

    /**
     * @param cap connections of the service at once
     * @param unauthenticatedPerClient connections per client that have not logged in (SEC-3: 20)
     */
    ConnectionTable(ConnectionService service, int cap, int unauthenticatedPerClient) {
        this.service = service;
        this.cap = Math.max(1, cap);
        // SEC-3: a fifth of the cap per client; carrier-grade NAT puts many users behind one address.
        this.perClient = Math.max(1, cap / 5);
        this.unauthenticatedPerClient = Math.max(1, unauthenticatedPerClient);
    }

    synchronized Decision admit(Admission candidate) {
        PerClient c = clients.get(candidate.clientKey());
        if (c != null && c.total >= perClient) {
            return new Decision(ConnectionRefusal.CLIENT_CONNECTIONS, null);
        }
        if (c != null && c.unauthenticated >= unauthenticatedPerClient) {
            return new Decision(ConnectionRefusal.CLIENT_UNAUTHENTICATED, null);
        }
        Admission victim = null;
        if (total >= cap) {
            Iterator<Admission> oldest = unauthenticated.iterator();
            if (!oldest.hasNext()) {
                return new Decision(ConnectionRefusal.SERVICE_FULL, null);
            }
            victim = oldest.next();
            remove(victim);
        }
        total++;
        PerClient mine = clients.computeIfAbsent(candidate.clientKey(), k -> new PerClient());
        mine.total++;
        mine.unauthenticated++;
        unauthenticated.add(candidate);
        return new Decision(null, victim);
    }

    /** The connection logged in: it no longer counts as unauthenticated nor can be evicted. */
    synchronized void authenticated(Admission a) {
        if (a.released || a.authenticated) {
            return;
        }
        a.authenticated = true;
        unauthenticated.remove(a);
        clients.get(a.clientKey()).unauthenticated--;
    }

    /** Removes it unless it was removed before (released, or evicted). */
    synchronized void release(Admission a) {
        if (!a.released) {
            remove(a);
        }
    }

    private void remove(Admission a) {
        a.released = true;
        total--;
        PerClient c = clients.get(a.clientKey());
        c.total--;
        if (!a.authenticated) {
            c.unauthenticated--;
            unauthenticated.remove(a);
        }
        if (c.total == 0) {
            clients.remove(a.clientKey());
        }
    }

    synchronized int total() {
        return total;
    }
}
