package chatmail.turn;

import chatmail.metrics.TurnDrop;
import chatmail.turn.protocol.ChannelData;
import chatmail.turn.protocol.DataIndication;
import chatmail.turn.protocol.SendIndication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The relay path (RFC 8656 sections 11 and 12): ChannelData and Send indications from clients to
 * their peers, packets from peers back as ChannelData or Data indications. Headers are read and
 * written in place in the one receive buffer and everything it looks up was made when the
 * permission or channel was, so a steady flow allocates nothing per packet. Permissions, the
 * live-allocation rule of SPEC TURN-3 and the bandwidth limit are checked for every packet.
 */
final class DataRelay {
    /** Room in front of a peer's packet for the Data indication header. */
    static final int HEADROOM = DataIndication.MAX_HEADER_LENGTH;
    /** Peers remembered per allocation; more (a scan of addresses) are still relayed, just not cached. */
    static final int PEERS_PER_ALLOCATION = 128;

    private final TurnState state;
    private final TurnMetrics metrics;
    private final long bytesPerSecond;
    private final long burst;
    private final SendIndication.Target target = new SendIndication.Target();
    private final CRC32 crc = new CRC32();
    private final int indicationTidHigh;
    private long indicationTidLow;

    DataRelay(TurnState state, int indicationTidSeed) {
        this.state = state;
        this.metrics = state.metrics;
        this.bytesPerSecond = state.limits.bytesPerSecond();
        this.burst = state.limits.burstBytes();
        this.indicationTidHigh = indicationTidSeed;
    }

    /** ChannelData from the client in {@code buffer[0, received)}. */
    void channelDataFromClient(Allocation a, ByteBuffer buffer, int received, long now) {
        int length = ChannelData.dataLength(buffer, 0, received);
        if (length < 0) {
            return;
        }
        ChannelBinding channel = a.channel(ChannelData.channel(buffer, 0));
        if (channel == null || channel.expiresAt <= now) {
            metrics.dropped(TurnDrop.NO_PERMISSION);
            return;
        }
        toPeer(a, channel.peer, buffer, ChannelData.HEADER_LENGTH, length, now);
    }

    /** A Send indication from the client in {@code buffer[0, received)}. */
    void sendFromClient(Allocation a, ByteBuffer buffer, int received, long now) {
        SendIndication.Target t = target;
        if (!SendIndication.read(buffer, received, crc, t) || (t.ipLength == 4) != a.ipv4()) {
            return;
        }
        Peer peer = a.peer(t.ip, t.ipLength, t.port);
        if (peer == null) {
            Permission permission = a.permission(t.ip, t.ipLength);
            if (permission == null || permission.expiresAt <= now) {
                metrics.dropped(TurnDrop.NO_PERMISSION);
                return;
            }
            try {
                InetAddress ip = InetAddress.getByAddress(Arrays.copyOf(t.ip, t.ipLength));
                peer = new Peer(new InetSocketAddress(ip, t.port), permission);
            } catch (UnknownHostException impossible) {
                return;
            }
            if (a.peers.size() < PEERS_PER_ALLOCATION) {
                a.addPeer(peer);
            }
        }
        toPeer(a, peer, buffer, t.dataOffset, t.dataLength, now);
    }

    private void toPeer(Allocation a, Peer peer, ByteBuffer buffer, int offset, int length, long now) {
        if (!permitted(peer, now)) {
            metrics.dropped(TurnDrop.NO_PERMISSION);
            return;
        }
        if (!a.fromClient.take(length, now, bytesPerSecond, burst)) {
            metrics.dropped(TurnDrop.RATE_LIMIT);
            return;
        }
        buffer.limit(offset + length).position(offset);
        try {
            count(a.relay.send(buffer, peer.address), length);
        } catch (IOException unreachable) {
            // The peer's network is unreachable from here: UDP loses it, so do we.
        }
    }

    /** A packet from a peer at {@code buffer[HEADROOM, HEADROOM + length)}. */
    void fromPeer(Allocation a, InetSocketAddress sender, ByteBuffer buffer, int length, long now) {
        Peer peer = a.peersByAddress.get(sender);
        if (peer == null) {
            Permission permission = a.permission(sender.getAddress());
            if (permission == null || permission.expiresAt <= now) {
                metrics.dropped(TurnDrop.NO_PERMISSION);
                return;
            }
            peer = new Peer(sender, permission);
            if (a.peers.size() < PEERS_PER_ALLOCATION) {
                a.addPeer(peer);
            }
        }
        if (!permitted(peer, now)) {
            metrics.dropped(TurnDrop.NO_PERMISSION);
            return;
        }
        if (!a.toClient.take(length, now, bytesPerSecond, burst)) {
            metrics.dropped(TurnDrop.RATE_LIMIT);
            return;
        }
        ChannelBinding channel = peer.channel;
        int start;
        int end;
        if (channel != null && channel.expiresAt > now) {
            start = HEADROOM - ChannelData.HEADER_LENGTH;
            ChannelData.writeHeader(buffer, start, channel.number, length);
            end = HEADROOM + length;
        } else {
            start = DataIndication.write(buffer, HEADROOM, length, peer.ip, peer.ip.length, peer.port,
                    indicationTidHigh, ++indicationTidLow);
            end = DataIndication.end(HEADROOM, length);
        }
        buffer.limit(end).position(start);
        try {
            count(a.listener.channel.send(buffer, a.client), length);
        } catch (IOException unreachable) {
            // As above: a datagram lost.
        }
    }

    private void count(int sent, int length) {
        if (sent == 0) {
            metrics.dropped(TurnDrop.SEND_BUFFER_FULL);
        } else {
            metrics.relayed(length);
        }
    }

    /**
     * The peer's permission is alive, and for an address TURN-3 refuses, the peer is still the
     * relayed address of a live allocation here.
     */
    private boolean permitted(Peer peer, long now) {
        Permission permission = peer.permission;
        if (permission.expiresAt <= now) {
            return false;
        }
        if (!permission.restricted) {
            return true;
        }
        Allocation local = peer.local;
        if (local == null || !local.alive) {
            local = state.relayedAt(peer.address);
            peer.local = local;
        }
        return local != null && local.alive;
    }
}
