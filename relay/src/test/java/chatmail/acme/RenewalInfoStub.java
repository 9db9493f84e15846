package chatmail.acme;

import chatmail.testing.TestCa;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * ARI for a CA that has none (Pebble 2.4): a directory that is Pebble's plus a {@code
 * renewalInfo} URL, and that URL answering the window the test sets, with a Retry-After. Every
 * other ACME request goes to Pebble itself.
 */
final class RenewalInfoStub implements AutoCloseable {

    private final HttpsServer server;
    private final HttpClient client;
    private final URI pebbleDirectory;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final Map<String, Instant[]> windows = new ConcurrentHashMap<>();
    private volatile Instant[] otherwise;
    private volatile int retryAfterSeconds;

    RenewalInfoStub(TestCa ca, URI pebbleDirectory) throws Exception {
        this.pebbleDirectory = pebbleDirectory;
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, factory.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(trusting).build();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.issueForIp("127.0.0.1").serverContext()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/dir", this::directory);
        server.createContext("/renewal-info/", this::renewalInfo);
        server.start();
    }

    /** The acme_directory for the relay. */
    URI directory() {
        return URI.create(base() + "/dir");
    }

    private String base() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The window answered for every certificate without one of its own, and the Retry-After sent with each. */
    void window(Instant start, Instant end, int retryAfterSeconds) {
        this.otherwise = new Instant[] {start, end};
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The window answered for one certificate (by its ARI identifier) from now on. */
    void window(String certificateId, Instant start, Instant end) {
        windows.put(certificateId, new Instant[] {start, end});
    }

    /** The certificate identifiers asked about, in order. */
    List<String> asked() {
        return List.copyOf(asked);
    }

    private void directory(HttpExchange exchange) throws IOException {
        try {
            String pebble = client.send(HttpRequest.newBuilder(pebbleDirectory).build(),
                    HttpResponse.BodyHandlers.ofString()).body().strip();
            String json = pebble.substring(0, pebble.lastIndexOf('}'))
                    + ", \"renewalInfo\": \"" + base() + "/renewal-info/\"}";
            send(exchange, 200, json, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, 503, "{}", -1);
        }
    }

    private void renewalInfo(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        asked.add(id);
        Instant[] window = windows.getOrDefault(id, otherwise);
        send(exchange, 200, "{\"suggestedWindow\": {\"start\": \"" + window[0] + "\", \"end\": \"" + window[1] + "\"}}",
                retryAfterSeconds);
    }

    private static void send(HttpExchange exchange, int status, String json, int retryAfter) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfter >= 0) {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(retryAfter));
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }
}
