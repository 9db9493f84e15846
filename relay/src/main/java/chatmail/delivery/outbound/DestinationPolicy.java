package chatmail.delivery.outbound;

import chatmail.config.Config;
import chatmail.policy.AddressScope;
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
 * network, or to itself. Refused is every address that {@link AddressScope} does not call
 * global (loopback, private, link-local, multicast, reserved; the classification TURN's peer
 * rule uses too), and the relay's own addresses; unless the operator sets
 * {@code allow_private_destinations} (tests, closed networks). Unlike TURN, nothing is excepted.
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

    /** True for global unicast addresses; false for the classes of {@link AddressScope} this policy refuses. */
    static boolean isPublic(InetAddress address) {
        return AddressScope.of(address) == AddressScope.GLOBAL;
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
