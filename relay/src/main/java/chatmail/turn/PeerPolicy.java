package chatmail.turn;

import chatmail.metrics.TurnPeerRefusal;
import chatmail.policy.AddressScope;
import java.net.InetAddress;
import java.util.Set;

/**
 * Which peers an allocation may reach (SPEC TURN-3): never the operator's network — loopback,
 * private, link-local, multicast, reserved ({@link AddressScope}, the classification outbound
 * delivery uses too) or this machine's own addresses — unless {@code turn_allow_private_peers}.
 * The one exception, the relayed addresses of live allocations here, is the server's to decide,
 * since only it knows them.
 */
final class PeerPolicy {
    private final boolean allowPrivate;
    private final Set<InetAddress> own;

    PeerPolicy(boolean allowPrivate, Set<InetAddress> ownAddresses) {
        this.allowPrivate = allowPrivate;
        this.own = Set.copyOf(ownAddresses);
    }

    /** Null when the address may be a peer; else why not. */
    TurnPeerRefusal refusal(InetAddress address) {
        if (allowPrivate) {
            return null;
        }
        TurnPeerRefusal scope = scope(address.getAddress());
        if (scope != null) {
            return scope;
        }
        return own.contains(address) ? TurnPeerRefusal.OWN_ADDRESS : null;
    }

    /** The special-purpose class of an address as a refusal reason, or null for a global unicast one. */
    static TurnPeerRefusal scope(byte[] a) {
        return switch (AddressScope.of(a)) {
            case GLOBAL -> null;
            case LOOPBACK -> TurnPeerRefusal.LOOPBACK;
            case PRIVATE -> TurnPeerRefusal.PRIVATE;
            case LINK_LOCAL -> TurnPeerRefusal.LINK_LOCAL;
            case MULTICAST -> TurnPeerRefusal.MULTICAST;
            case RESERVED -> TurnPeerRefusal.RESERVED;
        };
    }
}
