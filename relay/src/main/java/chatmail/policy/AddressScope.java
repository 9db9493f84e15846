package chatmail.policy;

import java.net.InetAddress;

/**
 * The special-purpose class of an IP address (RFC 6890), the one classification behind every
 * rule that keeps the relay from connecting into the operator's network on a client's behalf:
 * outbound delivery's destinations (SEC-5, {@code delivery.outbound.DestinationPolicy}) and TURN
 * peers (TURN-3, {@code turn.PeerPolicy}). Each caller adds its own exceptions and its own list
 * of this machine's addresses; what counts as loopback, private, link-local, multicast or
 * reserved is decided here only.
 *
 * <p>IPv6 forms that carry an IPv4 address to where packets go (NAT64 {@code 64:ff9b::/96},
 * 6to4 {@code 2002::/16}) take that address's class; IPv4-mapped and IPv4-compatible ones are
 * reserved (the JDK turns a mapped literal or DNS answer into an IPv4 address, so only a raw
 * 16-byte form, as a TURN client can send it, reaches here that way).
 */
public enum AddressScope {
    /** Global unicast: neither of the others. */
    GLOBAL,
    /** 127/8, ::1. */
    LOOPBACK,
    /** RFC 1918, the carrier-grade NAT range 100.64/10, unique local fc00::/7, site-local fec0::/10. */
    PRIVATE,
    /** 169.254/16, fe80::/10. */
    LINK_LOCAL,
    /** 224/4, ff00::/8. */
    MULTICAST,
    /**
     * "This network" 0/8, 192.0.0/24, documentation (192.0.2/24, 198.51.100/24, 203.0.113/24,
     * 2001:db8::/32), benchmarking 198.18/15, class E and broadcast, ::, IPv4-mapped and
     * -compatible, discard-only 100::/64.
     */
    RESERVED;

    public static AddressScope of(InetAddress address) {
        return of(address.getAddress());
    }

    /** The class of a 4- or 16-byte address. */
    public static AddressScope of(byte[] a) {
        if (a.length == 4) {
            return of4(a[0] & 0xFF, a[1] & 0xFF, a[2] & 0xFF);
        }
        int first = a[0] & 0xFF;
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= a[i] == 0;
        }
        if (zeros80 && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            return RESERVED; // IPv4-mapped: IPv4 in IPv6 clothing, never a real IPv6 host
        }
        if (zeros80 && a[10] == 0 && a[11] == 0) {
            boolean loopback = true;
            for (int i = 12; i < 15; i++) {
                loopback &= a[i] == 0;
            }
            return loopback && a[15] == 1 ? LOOPBACK : RESERVED; // ::1, :: and IPv4-compatible
        }
        if (first == 0x00 && a[1] == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B) {
            // 64:ff9b::/96, NAT64 (all of 64:ff9b::/32 read so): the IPv4 address inside is where the packet goes.
            return of4(a[12] & 0xFF, a[13] & 0xFF, a[14] & 0xFF);
        }
        if (first == 0x20 && a[1] == 0x02) {
            // 2002::/16, 6to4: likewise.
            AddressScope inner = of4(a[2] & 0xFF, a[3] & 0xFF, a[4] & 0xFF);
            if (inner != GLOBAL) {
                return inner;
            }
        }
        if ((first & 0xFE) == 0xFC) {
            return PRIVATE; // fc00::/7, unique local
        }
        if (first == 0xFE && (a[1] & 0xC0) == 0x80) {
            return LINK_LOCAL; // fe80::/10
        }
        if (first == 0xFE && (a[1] & 0xC0) == 0xC0) {
            return PRIVATE; // fec0::/10, site-local (deprecated)
        }
        if (first == 0xFF) {
            return MULTICAST;
        }
        if (first == 0x20 && a[1] == 0x01 && (a[2] & 0xFF) == 0x0D && (a[3] & 0xFF) == 0xB8) {
            return RESERVED; // 2001:db8::/32, documentation
        }
        if (first == 0x01 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0) {
            return RESERVED; // 100::/64, discard
        }
        return GLOBAL;
    }

    private static AddressScope of4(int a, int b, int c) {
        if (a == 127) {
            return LOOPBACK;
        }
        if (a == 10 || (a == 172 && (b & 0xF0) == 16) || (a == 192 && b == 168) || (a == 100 && (b & 0xC0) == 64)) {
            return PRIVATE; // RFC 1918 and the carrier-grade NAT range
        }
        if (a == 169 && b == 254) {
            return LINK_LOCAL;
        }
        if (a >= 224 && a <= 239) {
            return MULTICAST;
        }
        if (a == 0 || a >= 240 || (a == 192 && b == 0 && (c == 0 || c == 2)) || (a == 198 && (b & 0xFE) == 18)
                || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113)) {
            return RESERVED; // this network, documentation, benchmarking, class E, broadcast
        }
        return GLOBAL;
    }
}
