package chatmail.turn.protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8489 section 14.2): family,
 * port XOR the cookie's top half, address XOR the cookie (and for IPv6 the transaction ID).
 */
public final class XorAddress {
    private XorAddress() {}

    public static byte[] encode(InetSocketAddress address, byte[] transactionId) {
        byte[] ip = address.getAddress().getAddress();
        byte[] v = new byte[4 + ip.length];
        v[1] = (byte) (ip.length == 4 ? Attribute.FAMILY_IPV4 : Attribute.FAMILY_IPV6);
        int port = address.getPort() ^ (Stun.MAGIC_COOKIE >>> 16);
        v[2] = (byte) (port >> 8);
        v[3] = (byte) port;
        for (int i = 0; i < ip.length; i++) {
            v[4 + i] = (byte) (ip[i] ^ mask(i, transactionId));
        }
        return v;
    }

    public static InetSocketAddress decode(StunAttribute a, byte[] transactionId) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        int family = v.length >= 2 ? v[1] & 0xFF : 0;
        int size = family == Attribute.FAMILY_IPV4 ? 4 : family == Attribute.FAMILY_IPV6 ? 16 : -1;
        if (size < 0 || v.length != 4 + size) {
            throw new StunFormatException(String.format("attribute 0x%04x is not an IPv4 or IPv6 address", a.type()));
        }
        int port = (((v[2] & 0xFF) << 8) | (v[3] & 0xFF)) ^ (Stun.MAGIC_COOKIE >>> 16);
        byte[] ip = new byte[size];
        for (int i = 0; i < size; i++) {
            ip[i] = (byte) (v[4 + i] ^ mask(i, transactionId));
        }
        try {
            InetAddress address = InetAddress.getByAddress(ip);
            if (size == 16 && address instanceof Inet4Address) {
                // getByAddress turns ::ffff:a.b.c.d into IPv4; the wire said IPv6, keep the family.
                address = java.net.Inet6Address.getByAddress(null, ip, null);
            }
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException impossible) {
            throw new StunFormatException("address of unexpected length");
        }
    }

    /** The byte the i-th address byte is XORed with: the cookie, then the transaction ID. */
    static int mask(int i, byte[] transactionId) {
        return i < 4 ? (Stun.MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : transactionId[i - 4] & 0xFF;
    }
}
