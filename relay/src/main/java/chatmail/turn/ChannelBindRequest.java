package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.ChannelData;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.Values;
import chatmail.turn.protocol.XorAddress;
import java.net.InetSocketAddress;

/**
 * ChannelBind (RFC 8656 section 12): a channel number for one peer, binding or refreshing it and
 * the peer's permission; a peer SPEC TURN-3 refuses makes it 403.
 */
final class ChannelBindRequest {
    private ChannelBindRequest() {}

    static byte[] handle(TurnState s, TurnRequest r) {
        Allocation a = r.allocation();
        if (a == null) {
            return r.error(Responses.ALLOCATION_MISMATCH);
        }
        if (!a.username.equals(r.username())) {
            return r.error(Responses.WRONG_CREDENTIALS);
        }
        StunAttribute numberAttribute = r.message().first(Attribute.CHANNEL_NUMBER);
        StunAttribute peerAttribute = r.message().first(Attribute.XOR_PEER_ADDRESS);
        if (numberAttribute == null || peerAttribute == null) {
            return r.error(Responses.BAD_REQUEST);
        }
        int number;
        InetSocketAddress address;
        try {
            number = Values.channelNumber(numberAttribute);
            address = XorAddress.decode(peerAttribute, r.message().transactionId());
        } catch (StunFormatException e) {
            return r.error(Responses.BAD_REQUEST);
        }
        if (!ChannelData.validNumber(number)) {
            return r.error(Responses.BAD_REQUEST);
        }
        if ((address.getAddress().getAddress().length == 4) != a.ipv4()) {
            return r.error(Responses.PEER_ADDRESS_FAMILY_MISMATCH);
        }
        ChannelBinding byNumber = a.channel(number);
        Peer existingPeer = a.peersByAddress.get(address);
        if (byNumber != null && !byNumber.peer.address.equals(address)) {
            return r.error(Responses.BAD_REQUEST); // the number is taken by another peer
        }
        if (existingPeer != null && existingPeer.channel != null && existingPeer.channel.number != number) {
            return r.error(Responses.BAD_REQUEST); // the peer has another number
        }
        TurnState.PeerCheck check = s.checkPeer(address);
        if (!check.allowed()) {
            return r.error(Responses.FORBIDDEN);
        }
        if (byNumber == null && a.channels.size() >= s.limits.channelsPerAllocation()) {
            return r.error(Responses.INSUFFICIENT_CAPACITY);
        }
        if (a.permission(address.getAddress()) == null
                && a.permissions.size() >= s.limits.permissionsPerAllocation()) {
            return r.error(Responses.INSUFFICIENT_CAPACITY);
        }
        Permission permission = s.permit(a, address.getAddress(), check.restricted(), r.now());
        Peer peer = s.peer(a, address, permission);
        long expiresAt = r.now() + s.limits.channelLifetime().toMillis();
        if (byNumber == null) {
            ChannelBinding channel = new ChannelBinding(number, peer, expiresAt);
            a.channels.add(channel);
            peer.channel = channel;
        } else {
            byNumber.expiresAt = expiresAt;
        }
        return r.finish(r.success());
    }
}
