package chatmail.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for notifications.delta.chat on loopback: records every request (with the relay's
 * clock at its arrival) and answers with a status the test sets. It can hold requests until the
 * test releases them, to deliver mail while a notification is in flight.
 */
final class NotifyServer implements AutoCloseable {

    /** One request as received; {@code at} is the relay's (test) clock when it arrived. */
    record Request(String method, String path, String body, Instant at) {}

    private static final long DEADLINE_SECONDS = 20;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Clock clock;
    private final BlockingQueue<Request> arrivals = new LinkedBlockingQueue<>();
    private final List<Request> received = new ArrayList<>();
    private volatile int status = 200;
    private volatile CountDownLatch gate;

    private NotifyServer(HttpServer server, Clock clock) {
        this.server = server;
        this.clock = clock;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static NotifyServer http(Clock clock) throws IOException {
        return new NotifyServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), clock);
    }

    static NotifyServer https(Clock clock, SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new NotifyServer(server, clock);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body,
                    clock.instant());
            synchronized (received) {
                received.add(request);
            }
            arrivals.add(request);
            CountDownLatch held = gate;
            if (held != null) {
                try {
                    held.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** The notify URL: {@code http(s)://127.0.0.1:<port>/notify}. */
    URI url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/notify");
    }

    /** The status answered from now on. */
    void answer(int status) {
        this.status = status;
    }

    /** Requests from now on wait (after being recorded) until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch held = gate;
        gate = null;
        if (held != null) {
            held.countDown();
        }
    }

    /** The next request not yet taken; fails when none arrives within the deadline. */
    Request next() throws InterruptedException {
        Request r = arrivals.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no notification arrived within " + DEADLINE_SECONDS + " s; received: " + received());
        }
        return r;
    }

    /** Every request so far, in arrival order. */
    List<Request> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
