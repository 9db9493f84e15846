package chatmail.federation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hostile destination for outbound delivery: it accepts connections and then stalls, either
 * saying nothing at all or trickling a greeting that never ends, one byte every
 * {@code trickleMillis} (so no single read ever times out). Each connection reports when it
 * was opened and when the client closed it.
 */
final class Tarpit implements AutoCloseable {

    /** One accepted connection: {@code closed} completes when the client hangs up. */
    record Connection(CompletableFuture<Void> closed) {}

    private final ServerSocket server;
    private final long trickleMillis;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Connection> first = new CompletableFuture<>();

    /** @param trickleMillis 0: never send anything */
    Tarpit(String address, int port, long trickleMillis) throws IOException {
        this.server = new ServerSocket(port, 50, InetAddress.getByName(address));
        this.trickleMillis = trickleMillis;
        Thread.ofVirtual().name("tarpit-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(s);
            Connection c = new Connection(new CompletableFuture<>());
            connections.add(c);
            first.complete(c);
            // Reading finds the client's hang-up (end of stream or reset); what it sends is ignored.
            Thread.ofVirtual().start(() -> {
                try (InputStream in = s.getInputStream()) {
                    byte[] discard = new byte[4096];
                    while (in.read(discard) >= 0) {
                        // ignore
                    }
                } catch (IOException reset) {
                    // closed by the client, too
                }
                c.closed().complete(null);
            });
            if (trickleMillis > 0) {
                Thread.ofVirtual().start(() -> trickle(s));
            }
        }
    }

    private void trickle(Socket s) {
        byte[] line = "220-tarpit.test welcome, please wait\r\n".getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream out = s.getOutputStream();
            for (int i = 0; !s.isClosed(); i = (i + 1) % line.length) {
                out.write(line[i]);
                out.flush();
                Thread.sleep(trickleMillis);
            }
        } catch (IOException | InterruptedException ended) {
            // the client hung up, or the test ends
        }
    }

    /** The first connection, once one came. */
    CompletableFuture<Connection> firstConnection() {
        return first;
    }

    int connections() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
