package chatmail.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
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
 * layer starts from the replayed ClientHello (so there is exactly one handshake).
 */
final class HandedOverConnector extends AbstractConnector {

    private final SelectorManager selectors;

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
    void take(SocketChannel channel, byte[] alreadyRead) throws IOException {
        if (!isRunning()) {
            throw new IOException("HTTPS connector is not running");
        }
        channel.configureBlocking(false);
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
        protected void endPointOpened(EndPoint endpoint) {
            super.endPointOpened(endpoint);
            onEndPointOpened(endpoint);
        }

        @Override
        protected void endPointClosed(EndPoint endpoint) {
            onEndPointClosed(endpoint);
            super.endPointClosed(endpoint);
        }
    }
}
