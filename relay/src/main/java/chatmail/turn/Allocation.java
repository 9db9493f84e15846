package chatmail.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One allocation (RFC 8656 section 2.2): a client's 5-tuple, the relay socket it was given, its
 * permissions, channels and peers, its lifetime and its bandwidth. Only the relay thread touches it.
 */
final class Allocation {
    final TurnListener listener;
    final InetSocketAddress client;
    final long clientKey;
    final DatagramChannel relay;
    /** What the client was told: the socket's address, or turn_external_address with its port. */
    final InetSocketAddress relayed;
    final InetSocketAddress relayLocal;
    final String username;
    final byte[] key;
    final byte[] createTransaction;
    byte[] createResponse;
    long expiresAt;
    boolean alive = true;
    SelectionKey selectionKey;

    final List<Permission> permissions = new ArrayList<>(2);
    final List<Peer> peers = new ArrayList<>(2);
    final Map<InetSocketAddress, Peer> peersByAddress = new HashMap<>(4);
    final List<ChannelBinding> channels = new ArrayList<>(2);
    final ByteBudget fromClient;
    final ByteBudget toClient;

    Allocation(TurnListener listener, InetSocketAddress client, DatagramChannel relay, InetSocketAddress relayed,
               InetSocketAddress relayLocal, String username, byte[] key, byte[] createTransaction, long expiresAt,
               long burst, long now) {
        this.listener = listener;
        this.client = client;
        this.clientKey = ClientKey.of(client.getAddress());
        this.relay = relay;
        this.relayed = relayed;
        this.relayLocal = relayLocal;
        this.username = username;
        this.key = key;
        this.createTransaction = createTransaction;
        this.expiresAt = expiresAt;
        this.fromClient = new ByteBudget(burst, now);
        this.toClient = new ByteBudget(burst, now);
    }

    boolean ipv4() {
        return relayLocal.getAddress().getAddress().length == 4;
    }

    Permission permission(InetAddress address) {
        for (int i = 0; i < permissions.size(); i++) {
            Permission p = permissions.get(i);
            if (p.address.equals(address)) {
                return p;
            }
        }
        return null;
    }

    Permission permission(byte[] ip, int length) {
        for (int i = 0; i < permissions.size(); i++) {
            Permission p = permissions.get(i);
            if (p.matches(ip, length)) {
                return p;
            }
        }
        return null;
    }

    Peer peer(byte[] ip, int length, int port) {
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            if (p.matches(ip, length, port)) {
                return p;
            }
        }
        return null;
    }

    ChannelBinding channel(int number) {
        for (int i = 0; i < channels.size(); i++) {
            ChannelBinding c = channels.get(i);
            if (c.number == number) {
                return c;
            }
        }
        return null;
    }

    void addPeer(Peer peer) {
        peers.add(peer);
        peersByAddress.put(peer.address, peer);
    }

    /** Drops what expired by {@code now}: channels, permissions and the peers that hung on them. */
    void expire(long now) {
        for (int i = channels.size() - 1; i >= 0; i--) {
            ChannelBinding c = channels.get(i);
            if (c.expiresAt <= now) {
                channels.remove(i);
                c.peer.channel = null;
            }
        }
        for (int i = permissions.size() - 1; i >= 0; i--) {
            if (permissions.get(i).expiresAt <= now) {
                permissions.remove(i);
            }
        }
        for (int i = peers.size() - 1; i >= 0; i--) {
            Peer p = peers.get(i);
            if (p.channel == null && p.permission.expiresAt <= now) {
                peers.remove(i);
                peersByAddress.remove(p.address);
            }
        }
    }
}
