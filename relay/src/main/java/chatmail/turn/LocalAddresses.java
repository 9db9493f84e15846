package chatmail.turn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * This machine's addresses: what a wildcard listen address stands for (SPEC TURN-2: one socket per
 * local unicast address, so replies leave from the address the client used) and what TURN-3
 * refuses as a peer.
 */
final class LocalAddresses {
    private LocalAddresses() {}

    /**
     * The listen addresses with {@code ::} (both families on Linux) and {@code 0.0.0.0} (IPv4)
     * replaced by the unicast addresses of the interfaces that are up, link-local ones left out
     * (they need a scope and are of no use to a TURN client).
     */
    static List<InetAddress> expand(List<String> listenAddresses) throws SocketException, UnknownHostException {
        Set<InetAddress> result = new LinkedHashSet<>();
        for (String text : listenAddresses) {
            InetAddress address = InetAddress.ofLiteral(text);
            if (!address.isAnyLocalAddress()) {
                result.add(address);
                continue;
            }
            boolean ipv4Only = address instanceof Inet4Address;
            for (InetAddress local : all()) {
                if (local.isLinkLocalAddress() || local.isMulticastAddress()) {
                    continue;
                }
                if (!ipv4Only || local instanceof Inet4Address) {
                    result.add(local);
                }
            }
        }
        return new ArrayList<>(result);
    }

    /** Every address of every interface that is up, without scope. */
    static Set<InetAddress> all() throws SocketException, UnknownHostException {
        Set<InetAddress> result = new LinkedHashSet<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                result.add(InetAddress.getByAddress(a.getAddress()));
            }
        }
        return result;
    }
}
