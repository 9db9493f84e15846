package chatmail.web;

import chatmail.limits.Admission;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;

/**
 * A Jetty connector that listens nowhere: the port-443 router accepts the connection, reads the
 * ClientHello to decide where it goes, and hands HTTPS connections over here with the bytes it
 * read. Jetty then owns the real socket (so it sees the client's real address) and its TLS
 * layer starts from the replayed ClientHello (so there is exactly one handshake). Each
 * connection keeps its admission from the limits layer until Jetty closes it; the limits
 * layer may end it (eviction) through Jetty's end point.
 */
final class HandedOverConnector extends AbstractConnector {

    private final SelectorManager selectors;
    private final Map<SelectableChannel, Admission> arriving = new ConcurrentHashMap<>();
    private final Map<EndPoint, Admission> open = new ConcurrentHashMap<>();

    HandedOverConnector(Server server, ConnectionFactory... factories) {
        super(server, null, null, null, 0, factories);
        selectors = new Selectors();
        addBean(selectors, true);
    }

    /**
     * Takes over an accepted connection.
     *
     * @param alreadyRead bytes the router read from {@code channel}; the first connection
     *     factory (TLS) must accept them as if they had just arrived
     */
    void take(SocketChannel channel, byte[] alreadyRead, Admission admission) throws IOException {
        if (!isRunning()) {
            throw new IOException("HTTPS connector is not running");
        }
        channel.configureBlocking(false);
        arriving.put(channel, admission);
        selectors.accept(channel, ByteBuffer.wrap(alreadyRead));
    }

    @Override
    protected void accept(int acceptorId) {
        throw new UnsupportedOperationException("connections are handed over, never accepted here");
    }

    @Override
    public Object getTransport() {
        return null;
    }

    private final class Selectors extends SelectorManager {
        Selectors() {
            super(HandedOverConnector.this.getExecutor(), HandedOverConnector.this.getScheduler(), 1);
        }

        @Override
        protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
            SocketChannelEndPoint endPoint =
                    new SocketChannelEndPoint((SocketChannel) channel, selector, key, getScheduler());
            endPoint.setIdleTimeout(getIdleTimeout());
            Admission admission = arriving.remove(channel);
            if (admission != null) {
                admission.closeWith(endPoint::close);
                open.put(endPoint, admission);
            }
            return endPoint;
        }

        @Override
        public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object alreadyRead) {
            Connection connection = getDefaultConnectionFactory().newConnection(HandedOverConnector.this, endPoint);
            if (alreadyRead instanceof ByteBuffer bytes && bytes.hasRemaining()) {
                if (!(connection instanceof Connection.UpgradeTo upgradeTo)) {
                    throw new IllegalStateException("the first connection factory cannot take replayed bytes: "
                            + getDefaultConnectionFactory());
                }
                upgradeTo.onUpgradeTo(bytes);
            }
            return connection;
        }

        @Override
        protected void connectionFailed(SelectableChannel channel, Throwable failure, Object attachment) {
            Admission admission = arriving.remove(channel);
            if (admission != null) {
                admission.close();
            }
            super.connectionFailed(channel, failure, attachment);
        }

        @Override
        protected void endPointOpened(EndPoint endpoint) {
            super.endPointOpened(endpoint);
            onEndPointOpened(endpoint);
        }

        @Override
        protected void endPointClosed(EndPoint endpoint) {
            Admission admission = open.remove(endpoint);
            if (admission != null) {
                admission.close();
            }
            onEndPointClosed(endpoint);
            super.endPointClosed(endpoint);
        }
    }
}
