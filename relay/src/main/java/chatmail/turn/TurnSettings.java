package chatmail.turn;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * What one TURN server needs, resolved from the configuration (SPEC TURN-2).
 *
 * @param listenAddresses one socket each; wildcards already expanded to the local addresses
 * @param port 0 for a free port (tests), then every address gets the port the first one got
 * @param externalAddress announced as relayed address for sockets of its family (1:1 NAT), or null
 * @param ownAddresses this machine's addresses, refused as peers (TURN-3)
 */
public record TurnSettings(
        List<InetAddress> listenAddresses,
        int port,
        int relayPortMin,
        int relayPortMax,
        InetAddress externalAddress,
        boolean allowPrivatePeers,
        Set<InetAddress> ownAddresses,
        String realm,
        String secret,
        TurnLimits limits) {

    /** The realm of our challenges: short, so a challenge fits the pre-authentication size rule. */
    public static final String REALM = "chatmail";

    public TurnSettings {
        listenAddresses = List.copyOf(listenAddresses);
        ownAddresses = Set.copyOf(ownAddresses);
        if (relayPortMin < 1 || relayPortMax > 65535 || relayPortMin >= relayPortMax) {
            throw new IllegalArgumentException("relay ports " + relayPortMin + "-" + relayPortMax);
        }
    }
}
