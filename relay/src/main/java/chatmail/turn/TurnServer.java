package chatmail.turn;

import chatmail.metrics.Metrics;
import chatmail.metrics.TurnDrop;
import chatmail.turn.protocol.ChannelData;
import chatmail.turn.protocol.Stun;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our TURN server (RFC 8656 over UDP, with STUN Binding; SPEC TURN-1 to TURN-3): one socket per
 * listen address, one per allocation, all read by one platform thread through one selector. That
 * thread owns every allocation, so nothing on the relay path locks or allocates.
 */
public final class TurnServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TurnServer.class);
    /** Datagrams handled per socket before the next socket gets its turn. */
    private static final int BATCH = 64;
    /** How often expired allocations, permissions and channels are freed, by the relay's clock. */
    private static final long SWEEP_MILLIS = 1000;
    private static final int LISTENER_BUFFER = 4 << 20;

    private final Clock clock;
    private final Selector selector;
    private final TurnState state;
    private final TurnRequests requests;
    private final DataRelay relay;
    private final List<InetSocketAddress> bound;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(DataRelay.HEADROOM + 65536 + 8);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Thread thread;
    private volatile boolean running = true;
    private long nextSweep;

    private TurnServer(TurnSettings settings, Clock clock, Metrics metrics) throws IOException {
        this.clock = clock;
        this.selector = Selector.open();
        this.state = new TurnState(settings, new TurnMetrics(metrics), selector);
        boolean dontFragment = AllocateRequest.dontFragmentSupported();
        this.requests = new TurnRequests(state, dontFragment);
        this.relay = new DataRelay(state, new SecureRandom().nextInt());
        this.bound = bindListeners(settings);
        this.thread = Thread.ofPlatform().name("turn").daemon().unstarted(this::run);
    }

    public static TurnServer start(TurnSettings settings, Clock clock, Metrics metrics) throws IOException {
        TurnServer server = new TurnServer(settings, clock, metrics);
        server.thread.start();
        return server;
    }

    private List<InetSocketAddress> bindListeners(TurnSettings settings) throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        int port = settings.port();
        try {
            for (InetAddress address : settings.listenAddresses()) {
                DatagramChannel channel = RelayPorts.open(address);
                // Every client's requests and media arrive here: room for bursts while the
                // thread is busy (the kernel caps it at net.core.rmem_max).
                channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, LISTENER_BUFFER);
                channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, LISTENER_BUFFER);
                try {
                    channel.bind(new InetSocketAddress(address, port));
                } catch (BindException e) {
                    channel.close();
                    BindException named = new BindException("cannot listen for turn on " + address.getHostAddress()
                            + " port " + port + " (UDP): " + e.getMessage());
                    named.initCause(e);
                    throw named;
                }
                InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
                // With a free port asked for, every address gets the one the first got: one port to announce.
                port = local.getPort();
                TurnListener listener = new TurnListener(channel, local);
                channel.register(selector, SelectionKey.OP_READ, listener);
                state.listeners.add(listener);
                addresses.add(local);
            }
        } catch (IOException | RuntimeException e) {
            state.closeAll();
            selector.close();
            throw e;
        }
        if (addresses.isEmpty()) {
            selector.close();
            throw new IOException("turn: no address to listen on");
        }
        return List.copyOf(addresses);
    }

    /** The UDP port the listeners are bound to. */
    public int port() {
        return bound.getFirst().getPort();
    }

    public List<InetSocketAddress> listenAddresses() {
        return bound;
    }

    /** Allocations alive now. */
    public int allocations() {
        return state.metrics.live();
    }

    /** Packets relayed so far, both directions. */
    public long relayedPackets() {
        return state.metrics.relayedPackets();
    }

    public long droppedPackets(TurnDrop reason) {
        return state.metrics.droppedPackets(reason);
    }

    /** The relay thread, whose allocations the relay-path measurement counts. */
    public long relayThreadId() {
        return thread.threadId();
    }

    private void run() {
        nextSweep = clock.millis() + SWEEP_MILLIS;
        while (running) {
            try {
                selector.select(onReady, SWEEP_MILLIS);
                sweepIfDue(clock.millis());
            } catch (IOException | RuntimeException e) {
                log.warn("turn: {}", e.getClass().getSimpleName());
            }
        }
        state.closeAll();
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("turn: closing the selector: {}", e.toString());
        }
    }

    /**
     * Sweeps when the relay's clock says so, also before a packet is handled: what expired is gone
     * for it (and a test that moves the clock sees the sweep done by its next packet).
     */
    private void sweepIfDue(long now) {
        if (now >= nextSweep) {
            state.sweep(now);
            nextSweep = now + SWEEP_MILLIS;
        }
    }

    private void onReady(SelectionKey key) {
        sweepIfDue(clock.millis());
        Object attachment = key.attachment();
        if (attachment instanceof TurnListener listener) {
            fromClients(listener);
        } else if (attachment instanceof Allocation allocation) {
            fromPeers(allocation);
        }
    }

    // The clock is read per packet, not per batch: a packet that arrives while a batch is being read
    // is judged (rate limits, lifetimes) at its own time.
    private void fromClients(TurnListener listener) {
        for (int i = 0; i < BATCH; i++) {
            buffer.clear();
            SocketAddress from;
            try {
                from = listener.channel.receive(buffer);
            } catch (IOException e) {
                continue;
            }
            if (from == null) {
                return;
            }
            try {
                fromClient(listener, (InetSocketAddress) from, buffer.position(), clock.millis());
            } catch (IOException | RuntimeException e) {
                log.warn("turn: a client packet: {}", e.getClass().getSimpleName());
            }
        }
    }

    private void fromClient(TurnListener listener, InetSocketAddress client, int received, long now) throws IOException {
        if (received < ChannelData.HEADER_LENGTH) {
            return;
        }
        int first = buffer.get(0) & 0xFF;
        if (ChannelData.isChannelData(first)) {
            Allocation a = listener.allocations.get(client);
            if (a != null && a.expiresAt > now) {
                relay.channelDataFromClient(a, buffer, received, now);
            }
            return;
        }
        if ((first & 0xC0) != 0 || received < Stun.HEADER_LENGTH) {
            return;
        }
        int type = buffer.getShort(0) & 0xFFFF;
        if (type == Stun.SEND_INDICATION) {
            Allocation a = listener.allocations.get(client);
            if (a != null && a.expiresAt > now) {
                relay.sendFromClient(a, buffer, received, now);
            }
            return;
        }
        if (Stun.messageClass(type) != Stun.REQUEST) {
            return; // indications other than Send, and responses: nothing to do
        }
        byte[] raw = new byte[received];
        buffer.get(0, raw);
        requests.handle(listener, client, raw, now);
    }

    private void fromPeers(Allocation a) {
        for (int i = 0; i < BATCH && a.alive; i++) {
            buffer.clear().position(DataRelay.HEADROOM).limit(buffer.capacity() - 4);
            SocketAddress from;
            try {
                from = a.relay.receive(buffer);
            } catch (IOException e) {
                continue;
            }
            if (from == null) {
                return;
            }
            long now = clock.millis();
            if (a.expiresAt <= now) {
                continue;
            }
            relay.fromPeer(a, (InetSocketAddress) from, buffer, buffer.position() - DataRelay.HEADROOM, now);
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TurnMetrics m = state.metrics;
        log.info("turn: stopped after relaying {} packets ({} bytes); dropped {} over the bandwidth limit, "
                        + "{} without permission, {} on a full send buffer", m.relayedPackets(), m.relayedBytes(),
                m.droppedPackets(TurnDrop.RATE_LIMIT), m.droppedPackets(TurnDrop.NO_PERMISSION),
                m.droppedPackets(TurnDrop.SEND_BUFFER_FULL));
    }
}
