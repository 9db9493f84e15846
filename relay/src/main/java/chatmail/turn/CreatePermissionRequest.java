package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.XorAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * CreatePermission (RFC 8656 section 9): permissions for one or more peer addresses, all or
 * none; a peer SPEC TURN-3 refuses makes it 403.
 */
final class CreatePermissionRequest {
    private CreatePermissionRequest() {}

    static byte[] handle(TurnState s, TurnRequest r) {
        Allocation a = r.allocation();
        if (a == null) {
            return r.error(Responses.ALLOCATION_MISMATCH);
        }
        if (!a.username.equals(r.username())) {
            return r.error(Responses.WRONG_CREDENTIALS);
        }
        List<InetSocketAddress> peers = new ArrayList<>();
        List<Boolean> restricted = new ArrayList<>();
        for (StunAttribute attribute : r.message().attributes()) {
            if (attribute.type() != Attribute.XOR_PEER_ADDRESS) {
                continue;
            }
            InetSocketAddress peer;
            try {
                peer = XorAddress.decode(attribute, r.message().transactionId());
            } catch (StunFormatException e) {
                return r.error(Responses.BAD_REQUEST);
            }
            if ((peer.getAddress().getAddress().length == 4) != a.ipv4()) {
                return r.error(Responses.PEER_ADDRESS_FAMILY_MISMATCH);
            }
            TurnState.PeerCheck check = s.checkPeer(peer);
            if (!check.allowed()) {
                return r.error(Responses.FORBIDDEN);
            }
            peers.add(peer);
            restricted.add(check.restricted());
        }
        if (peers.isEmpty()) {
            return r.error(Responses.BAD_REQUEST);
        }
        int fresh = 0;
        for (InetSocketAddress peer : peers) {
            if (a.permission(peer.getAddress()) == null) {
                fresh++;
            }
        }
        if (a.permissions.size() + fresh > s.limits.permissionsPerAllocation()) {
            return r.error(Responses.INSUFFICIENT_CAPACITY);
        }
        for (int i = 0; i < peers.size(); i++) {
            s.permit(a, peers.get(i).getAddress(), restricted.get(i), r.now());
        }
        return r.finish(r.success());
    }
}
