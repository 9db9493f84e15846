package chatmail.delivery.outbound;

import chatmail.config.Config;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which addresses outbound delivery may connect to (SEC-5). Mail goes wherever the recipient's
 * DNS or an address literal points, and any sender picks the recipient: without this check a
 * user could make the relay connect to services on its own loopback, to the operator's private
 * network, or to itself. Refused are loopback, private (RFC 1918, the RFC 6598 shared space,
 * IPv6 unique local), link-local, multicast, "this network", reserved and broadcast addresses,
 * IPv6 forms that embed such an IPv4 address, and the relay's own addresses; unless the
 * operator sets {@code allow_private_destinations} (tests, closed networks).
 *
 * <p>Endpoints the operator configures ({@code notify_url}, {@code dns_resolver}, …) are not
 * asked: they are chosen by the operator, not by a sender.
 */
public final class DestinationPolicy {

    private static final Logger log = LoggerFactory.getLogger(DestinationPolicy.class);

    /** The SMTP reply (and bounce text) for recipients whose destination is refused. */
    static String refusedReply(String domain) {
        return "550 5.4.4 " + domain + " leads only to addresses this relay does not deliver to"
                + " (loopback, private, link-local, multicast or its own)";
    }

    private final boolean allowAll;
    private final Set<InetAddress> own;

    private DestinationPolicy(boolean allowAll, Set<InetAddress> own) {
        this.allowAll = allowAll;
        this.own = Set.copyOf(own);
    }

    /** The relay's policy: its own addresses are those of its interfaces and its listen addresses. */
    public static DestinationPolicy forRelay(Config config) {
        if (config.allowPrivateDestinations()) {
            return allowingAll();
        }
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            log.warn("cannot list the network interfaces; only the listen addresses count as this relay's own: {}",
                    e.getMessage());
        }
        for (String address : config.listenAddresses()) {
            try {
                own.add(InetAddress.ofLiteral(address));
            } catch (IllegalArgumentException notALiteral) {
                // the config loader accepts literals only
            }
        }
        return refusing(own);
    }

    /** Refuses non-public addresses and {@code own}. */
    public static DestinationPolicy refusing(Set<InetAddress> own) {
        return new DestinationPolicy(false, own);
    }

    /** {@code allow_private_destinations = true}: every address is permitted. */
    public static DestinationPolicy allowingAll() {
        return new DestinationPolicy(true, Set.of());
    }

    public boolean permits(InetAddress address) {
        return allowAll || (isPublic(address) && !own.contains(address));
    }

    /** The permitted addresses, in their order. */
    public List<InetAddress> permitted(List<InetAddress> addresses) {
        return allowAll ? addresses : addresses.stream().filter(this::permits).toList();
    }

    /** False for the address ranges this class refuses; true for everything else. */
    static boolean isPublic(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? isPublicIpv4(b, 0) : isPublicIpv6(b);
    }

    private static boolean isPublicIpv4(byte[] bytes, int offset) {
        int a = bytes[offset] & 0xff;
        int b = bytes[offset + 1] & 0xff;
        int c = bytes[offset + 2] & 0xff;
        return !(a == 0                                   // "this network" 0/8
                || a == 10                                // private 10/8
                || (a == 100 && (b & 0xc0) == 64)         // shared (carrier-grade NAT) 100.64/10
                || a == 127                               // loopback 127/8
                || (a == 169 && b == 254)                 // link-local 169.254/16
                || (a == 172 && (b & 0xf0) == 16)         // private 172.16/12
                || (a == 192 && b == 0 && c == 0)         // IETF protocol assignments 192.0.0/24
                || (a == 192 && b == 168)                 // private 192.168/16
                || (a == 198 && (b & 0xfe) == 18)         // benchmarking 198.18/15
                || a >= 224);                             // multicast 224/4, reserved 240/4, broadcast
    }

    private static boolean isPublicIpv6(byte[] b) {
        if (allZero(b, 0, 10)) {
            boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean compatible = b[10] == 0 && b[11] == 0; // ::a.b.c.d, :: and ::1 among them
            if (mapped) {
                return isPublicIpv4(b, 12);
            }
            if (compatible) {
                return false;
            }
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return false; // unique local fc00::/7
        }
        if (first == 0xfe && (second & 0x80) == 0x80) {
            return false; // link-local fe80::/10 and the old site-local fec0::/10
        }
        if (first == 0xff) {
            return false; // multicast ff00::/8
        }
        if (first == 0x01 && second == 0 && allZero(b, 2, 8)) {
            return false; // discard-only 100::/64
        }
        if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
            return isPublicIpv4(b, 12); // NAT64 64:ff9b::/96 embeds an IPv4 address
        }
        if (first == 0x20 && second == 0x02) {
            return isPublicIpv4(b, 2); // 6to4 2002::/16 embeds one too
        }
        return true;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** An IP address literal (brackets allowed) as {@link InetAddress}, never asking DNS. */
    static InetAddress literal(String text) throws UnknownHostException {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            return InetAddress.ofLiteral(bare);
        } catch (IllegalArgumentException e) {
            throw new UnknownHostException("not an IP address literal");
        }
    }
}
