package chatmail.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} in the Prometheus text format over plain HTTP on {@code metrics_address}
 * (SPEC OPS-3). The JDK's HTTP server: one more listener with its own small thread and no TLS,
 * kept apart from the public web server so that nothing about metrics reaches port 80 or 443.
 * Anything but {@code GET}/{@code HEAD /metrics} is answered 404 or 405 with no body.
 */
public final class MetricsServer implements AutoCloseable {

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false).build();

    private final HttpServer server;
    private final ExecutorService handlers;

    private MetricsServer(HttpServer server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    /** Listens on {@code address} and {@code port} (0: a free one) and serves the registry's metrics. */
    public static MetricsServer start(Metrics metrics, InetAddress address, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
        ExecutorService handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("metrics-", 0).factory());
        server.setExecutor(handlers);
        server.createContext("/", exchange -> serve(metrics, exchange));
        server.start();
        return new MetricsServer(server, handlers);
    }

    private static void serve(Metrics metrics, HttpExchange exchange) throws IOException {
        // The request body is never read: a GET has none, and anything sent with another method
        // is dropped with the connection rather than buffered.
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            TEXT.write(body, metrics.registry().scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
            exchange.getResponseHeaders().set("Content-Type", TEXT.getContentType());
            if (method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.size()));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.size());
            try (OutputStream out = exchange.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
