package chatmail.turn;

import chatmail.metrics.TurnPeerRefusal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the TURN server knows, owned by its one relay thread: listeners, allocations (by
 * 5-tuple, by client, by relayed address), reservations, and the operations on them that more
 * than one request needs.
 */
final class TurnState {
    private static final Logger log = LoggerFactory.getLogger(TurnState.class);

    final TurnSettings settings;
    final TurnLimits limits;
    final TurnMetrics metrics;
    final PeerPolicy policy;
    final Authenticator authenticator;
    final RequestRateLimiter unauthenticated;
    final RelayPorts relayPorts;
    final Selector selector;
    final List<TurnListener> listeners = new ArrayList<>();

    private final List<Allocation> allocations = new ArrayList<>();
    private final Map<Long, Integer> perClient = new HashMap<>();
    private final Map<InetSocketAddress, Allocation> byRelayed = new HashMap<>();
    private final Map<Long, Reservation> reservations = new HashMap<>();
    private final java.util.random.RandomGenerator random = new java.security.SecureRandom();

    /** A port held back by EVEN-PORT with R for the allocation that brings the token. */
    record Reservation(DatagramChannel channel, long expiresAt) {}

    TurnState(TurnSettings settings, TurnMetrics metrics, Selector selector) {
        this.settings = settings;
        this.limits = settings.limits();
        this.metrics = metrics;
        this.policy = new PeerPolicy(settings.allowPrivatePeers(), settings.ownAddresses());
        this.authenticator = new Authenticator(settings.realm(), settings.secret(),
                new Nonces(limits.nonceLifetime().toMillis()));
        this.unauthenticated = new RequestRateLimiter(limits.unauthenticatedBurst(), limits.unauthenticatedPerSecond());
        this.relayPorts = new RelayPorts(settings.relayPortMin(), settings.relayPortMax(), random);
        this.selector = selector;
    }

    int allocationCount() {
        return allocations.size();
    }

    int allocationsOf(long clientKey) {
        return perClient.getOrDefault(clientKey, 0);
    }

    /** The live allocation relayed at this exact address, or null. */
    Allocation relayedAt(InetSocketAddress address) {
        return byRelayed.get(address);
    }

    /** A socket address of ours of this family to bind relay sockets on: the listener's if it fits. */
    InetAddress relayAddress(TurnListener listener, boolean ipv4) {
        InetAddress own = listener.local.getAddress();
        if ((own.getAddress().length == 4) == ipv4) {
            return own;
        }
        for (TurnListener other : listeners) {
            InetAddress a = other.local.getAddress();
            if ((a.getAddress().length == 4) == ipv4) {
                return a;
            }
        }
        return null;
    }

    /** The relayed address clients are told: turn_external_address for its family, else the socket's. */
    InetSocketAddress announced(InetSocketAddress local) {
        InetAddress external = settings.externalAddress();
        if (external != null && external.getAddress().length == local.getAddress().getAddress().length) {
            return new InetSocketAddress(external, local.getPort());
        }
        return local;
    }

    long newReservation(DatagramChannel channel, long now) {
        long token;
        do {
            token = random.nextLong();
        } while (token == 0 || reservations.containsKey(token));
        reservations.put(token, new Reservation(channel, now + limits.reservationLifetime().toMillis()));
        return token;
    }

    /** The reserved socket for this token, taken out of the reservations; null when unknown or expired. */
    DatagramChannel takeReservation(long token, long now) {
        Reservation r = reservations.remove(token);
        if (r == null) {
            return null;
        }
        if (r.expiresAt() <= now) {
            closeQuietly(r.channel());
            return null;
        }
        return r.channel();
    }

    void add(Allocation a) throws ClosedChannelException {
        a.selectionKey = a.relay.register(selector, SelectionKey.OP_READ, a);
        a.listener.allocations.put(a.client, a);
        allocations.add(a);
        perClient.merge(a.clientKey, 1, Integer::sum);
        byRelayed.put(a.relayed, a);
        byRelayed.put(a.relayLocal, a);
        metrics.allocationCreated();
    }

    void free(Allocation a) {
        if (!a.alive) {
            return;
        }
        a.alive = false;
        a.listener.allocations.remove(a.client, a);
        allocations.remove(a);
        perClient.computeIfPresent(a.clientKey, (k, n) -> n == 1 ? null : n - 1);
        byRelayed.remove(a.relayed, a);
        byRelayed.remove(a.relayLocal, a);
        if (a.selectionKey != null) {
            a.selectionKey.cancel();
        }
        closeQuietly(a.relay);
        metrics.allocationFreed();
    }

    /** What TURN-3 says about this peer for this allocation: allowed, allowed only as one of ours, or why not. */
    record PeerCheck(TurnPeerRefusal refusal, boolean restricted) {
        static final PeerCheck OPEN = new PeerCheck(null, false);
        static final PeerCheck OURS = new PeerCheck(null, true);

        boolean allowed() {
            return refusal == null;
        }
    }

    PeerCheck checkPeer(InetSocketAddress peer) {
        TurnPeerRefusal refusal = policy.refusal(peer.getAddress());
        if (refusal == null) {
            return PeerCheck.OPEN;
        }
        Allocation target = byRelayed.get(peer);
        if (target != null && target.alive) {
            return PeerCheck.OURS;
        }
        metrics.peerRefused(refusal);
        return new PeerCheck(refusal, true);
    }

    /** Installs or refreshes the permission for this peer's address (RFC 8656 section 9). */
    Permission permit(Allocation a, InetAddress address, boolean restricted, long now) {
        long expiresAt = now + limits.permissionLifetime().toMillis();
        Permission p = a.permission(address);
        if (p != null && p.restricted == restricted) {
            p.expiresAt = expiresAt;
            return p;
        }
        if (p != null) {
            a.permissions.remove(p);
        }
        Permission fresh = new Permission(address, restricted, expiresAt);
        a.permissions.add(fresh);
        for (Peer peer : a.peers) {
            if (peer.address.getAddress().equals(address)) {
                peer.permission = fresh;
            }
        }
        return fresh;
    }

    /** The peer entry for this address, made when first needed. */
    Peer peer(Allocation a, InetSocketAddress address, Permission permission) {
        Peer p = a.peersByAddress.get(address);
        if (p == null) {
            p = new Peer(address, permission);
            a.addPeer(p);
        }
        return p;
    }

    /** Frees expired allocations, reservations, permissions and channels. */
    void sweep(long now) {
        for (int i = allocations.size() - 1; i >= 0; i--) {
            Allocation a = allocations.get(i);
            if (a.expiresAt <= now) {
                free(a);
            } else {
                a.expire(now);
            }
        }
        if (!reservations.isEmpty()) {
            reservations.values().removeIf(r -> {
                if (r.expiresAt() <= now) {
                    closeQuietly(r.channel());
                    return true;
                }
                return false;
            });
        }
    }

    void closeAll() {
        for (int i = allocations.size() - 1; i >= 0; i--) {
            free(allocations.get(i));
        }
        reservations.values().forEach(r -> closeQuietly(r.channel()));
        reservations.clear();
        listeners.forEach(l -> closeQuietly(l.channel));
    }

    static long millis(Duration d) {
        return d.toMillis();
    }

    static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a relay socket: {}", e.toString());
        }
    }
}
