package chatmail.bench;

import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import chatmail.tls.SelfSignedCertificate;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for notifications.delta.chat on loopback (HTTPS, a certificate the relay trusts
 * through {@code trusted_ca_file}): answers every POST with 200 and measures push latency, from
 * the end of DATA of a message to the first notification for its recipient's device token after
 * it. Tokens are {@code bigday<recipient index>}.
 */
final class PushSink implements AutoCloseable {

    static final String TOKEN_PREFIX = "bigday";

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Path certificate;
    private final ArrayDeque<long[]>[] pending;
    /** Per recipient, when its last notification came (0: none): a notification may beat the 250 to the bench. */
    private final long[] lastNotification;
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong unexpected = new AtomicLong();
    private LatencySamples latency = new LatencySamples();

    @SuppressWarnings("unchecked")
    private PushSink(HttpsServer server, Path certificate, int recipients) {
        this.server = server;
        this.certificate = certificate;
        this.pending = new ArrayDeque[recipients];
        this.lastNotification = new long[recipients];
        for (int i = 0; i < recipients; i++) {
            pending[i] = new ArrayDeque<>();
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts the sink on 127.0.0.1; its certificate goes to {@code certificateFile} for the relay's trusted_ca_file. */
    static PushSink start(Path certificateFile, int recipients) throws IOException {
        KeyMaterial key = SelfSignedCertificate.generate("bench push sink",
                new CertificateNames(Set.of(), Set.of("127.0.0.1")), Clock.systemUTC());
        Files.writeString(certificateFile, PemFiles.toPem(key.leaf()), StandardCharsets.US_ASCII);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 256);
        server.setHttpsConfigurator(new HttpsConfigurator(context(key)));
        return new PushSink(server, certificateFile, recipients);
    }

    private static SSLContext context(KeyMaterial key) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("sink", key.privateKey(), new char[0], key.chain().toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the push sink's TLS context", e);
        }
    }

    static String token(int recipient) {
        return TOKEN_PREFIX + recipient;
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/notify";
    }

    Path certificate() {
        return certificate;
    }

    /**
     * A message for {@code recipient} whose final dot was about to be written at {@code beforeDot}
     * ended its DATA at {@code endOfData}: a notification is due. The relay can notify before the
     * sending thread reads the clock after its final write (that thread may lose its core in
     * between), so a notification counts for every message whose dot went out before it came,
     * with a latency of at least 0; matching on the end of DATA alone left such a message
     * "missing" for good (one in 13,800 in the full-scale runs). A notification that came before
     * the dot is for an earlier message.
     */
    void expect(int recipient, long beforeDot, long endOfData) {
        ArrayDeque<long[]> q = pending[recipient];
        synchronized (q) {
            long last = lastNotification[recipient];
            if (last >= beforeDot) {
                record(Math.max(0, last - endOfData));
            } else {
                q.addLast(new long[] {beforeDot, endOfData});
            }
        }
    }

    private synchronized void record(long latencyNanos) {
        latency.add(latencyNanos);
    }

    /** Starts a new measurement: latencies so far are returned and forgotten; expectations stay. */
    synchronized LatencySamples takeLatencies() {
        LatencySamples taken = latency;
        latency = new LatencySamples();
        return taken;
    }

    /** Messages whose notification has not come (yet). */
    long missing() {
        long n = 0;
        for (ArrayDeque<long[]> q : pending) {
            synchronized (q) {
                n += q.size();
            }
        }
        return n;
    }

    long notifications() {
        return notifications.get();
    }

    /** Notifications for a token of no bench recipient. */
    long unexpected() {
        return unexpected.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.nanoTime();
        try (exchange) {
            String token = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            notifications.incrementAndGet();
            settle(token, at);
            exchange.sendResponseHeaders(200, -1);
        }
    }

    void settle(String token, long at) {
        int recipient;
        try {
            recipient = token.startsWith(TOKEN_PREFIX) ? Integer.parseInt(token.substring(TOKEN_PREFIX.length())) : -1;
        } catch (NumberFormatException e) {
            recipient = -1;
        }
        if (recipient < 0 || recipient >= pending.length) {
            unexpected.incrementAndGet();
            return;
        }
        ArrayDeque<long[]> q = pending[recipient];
        synchronized (q) {
            lastNotification[recipient] = Math.max(lastNotification[recipient], at);
            // One notification wakes the device for everything that arrived before it. The queue is
            // in the order the 250s came, not the dots, so every entry is looked at.
            for (java.util.Iterator<long[]> i = q.iterator(); i.hasNext(); ) {
                long[] message = i.next();
                if (message[0] <= at) {
                    record(Math.max(0, at - message[1]));
                    i.remove();
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
