package chatmail.turn;

import chatmail.metrics.TurnPeerRefusal;
import java.net.InetAddress;
import java.util.Set;

/**
 * Which peers an allocation may reach (SPEC TURN-3): never the operator's network — loopback,
 * private, link-local, multicast, reserved or this machine's own addresses — unless
 * {@code turn_allow_private_peers}. The one exception, the relayed addresses of live allocations
 * here, is the server's to decide, since only it knows them.
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

    /** The special-purpose class of an address (RFC 6890), or null for a global unicast one. */
    static TurnPeerRefusal scope(byte[] a) {
        if (a.length == 4) {
            return scope4(a[0] & 0xFF, a[1] & 0xFF, a[2] & 0xFF);
        }
        int first = a[0] & 0xFF;
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= a[i] == 0;
        }
        if (zeros80 && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return TurnPeerRefusal.RESERVED; // IPv4-mapped: IPv4 in IPv6 clothing, never a real IPv6 peer
        }
        if (zeros80 && a[10] == 0 && a[11] == 0) {
            boolean loopback = true;
            for (int i = 12; i < 15; i++) {
                loopback &= a[i] == 0;
            }
            return loopback && a[15] == 1 ? TurnPeerRefusal.LOOPBACK : TurnPeerRefusal.RESERVED; // ::1, :: and IPv4-compatible
        }
        if (first == 0x00 && a[1] == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B) {
            // 64:ff9b::/96, NAT64: the IPv4 address inside is where the packet goes.
            return scope4(a[12] & 0xFF, a[13] & 0xFF, a[14] & 0xFF);
        }
        if (first == 0x20 && a[1] == 0x02) {
            // 2002::/16, 6to4: likewise.
            TurnPeerRefusal inner = scope4(a[2] & 0xFF, a[3] & 0xFF, a[4] & 0xFF);
            if (inner != null) {
                return inner;
            }
        }
        if ((first & 0xFE) == 0xFC) {
            return TurnPeerRefusal.PRIVATE; // fc00::/7, unique local
        }
        if (first == 0xFE && (a[1] & 0xC0) == 0x80) {
            return TurnPeerRefusal.LINK_LOCAL; // fe80::/10
        }
        if (first == 0xFE && (a[1] & 0xC0) == 0xC0) {
            return TurnPeerRefusal.PRIVATE; // fec0::/10, site-local (deprecated)
        }
        if (first == 0xFF) {
            return TurnPeerRefusal.MULTICAST;
        }
        if (first == 0x20 && a[1] == 0x01 && (a[2] & 0xFF) == 0x0D && (a[3] & 0xFF) == 0xB8) {
            return TurnPeerRefusal.RESERVED; // 2001:db8::/32, documentation
        }
        if (first == 0x01 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0) {
            return TurnPeerRefusal.RESERVED; // 100::/64, discard
        }
        return null;
    }

    private static TurnPeerRefusal scope4(int a, int b, int c) {
        if (a == 127) {
            return TurnPeerRefusal.LOOPBACK;
        }
        if (a == 10 || (a == 172 && (b & 0xF0) == 16) || (a == 192 && b == 168) || (a == 100 && (b & 0xC0) == 64)) {
            return TurnPeerRefusal.PRIVATE; // RFC 1918 and the carrier-grade NAT range
        }
        if (a == 169 && b == 254) {
            return TurnPeerRefusal.LINK_LOCAL;
        }
        if (a >= 224 && a <= 239) {
            return TurnPeerRefusal.MULTICAST;
        }
        if (a == 0 || a >= 240 || (a == 192 && b == 0 && (c == 0 || c == 2)) || (a == 198 && (b & 0xFE) == 18)
                || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
            return TurnPeerRefusal.RESERVED; // this network, documentation, benchmarking, class E, broadcast
        }
        return null;
    }
}
