package chatmail.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;

/**
 * PERF-1's "ready": every configured listener answers as a client would see it, not only that a
 * port accepts. Each listener is polled on its own virtual thread until one full exchange
 * succeeds: the greeting of SMTP and IMAP (after the TLS handshake on the implicit-TLS ports),
 * the status line of an HTTP request. A port that is not yet bound refuses at once, so polling
 * every 2 ms costs nothing; there is no event to wait on from outside the process.
 */
public final class ReadinessProbe {

    /** How a listener answers. */
    public enum Kind {
        SMTP(false, "220 "), SMTPS(true, "220 "), IMAP(false, "* OK"), IMAPS(true, "* OK"),
        HTTP(false, "HTTP/1.1 "), HTTPS(true, "HTTP/1.1 ");

        final boolean tls;
        final String answer;

        Kind(boolean tls, String answer) {
            this.tls = tls;
            this.answer = answer;
        }

        boolean http() {
            return this == HTTP || this == HTTPS;
        }
    }

    public record Listener(String service, int port, Kind kind) {}

    /** When each listener first answered, in nanoseconds of {@link System#nanoTime()}. */
    public record Readiness(Map<String, Long> answeredAt) {
        public long lastNanos() {
            return answeredAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        public long nanos(String service) {
            return answeredAt.get(service);
        }
    }

    private final String host;
    private final List<Listener> listeners;
    private final ClientTls tls;

    public ReadinessProbe(String host, List<Listener> listeners, ClientTls tls) {
        this.host = host;
        this.listeners = List.copyOf(listeners);
        this.tls = tls;
    }

    /**
     * Waits until every listener has answered once; throws when {@code timeout} passes or
     * {@code alive} turns false first.
     */
    public Readiness await(Duration timeout, BooleanSupplier alive) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> answered = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> futures = new ArrayList<>();
            for (Listener l : listeners) {
                futures.add(pool.submit(() -> poll(l, deadline, alive)));
            }
            for (int i = 0; i < listeners.size(); i++) {
                try {
                    answered.put(listeners.get(i).service(), futures.get(i).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    throw new IOException(listeners.get(i).service() + " on port " + listeners.get(i).port()
                            + " did not answer: " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return new Readiness(answered);
    }

    private long poll(Listener l, long deadline, BooleanSupplier alive) throws IOException {
        String lastProblem = "no attempt";
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) {
                throw new IOException("the relay process ended (last problem: " + lastProblem + ")");
            }
            try {
                answer(l);
                return System.nanoTime();
            } catch (IOException e) {
                lastProblem = e.toString();
            }
            if (Thread.interrupted()) {
                throw new IOException("interrupted");
            }
            LockSupport.parkNanos(2_000_000L);
        }
        throw new IOException("timed out; last problem: " + lastProblem);
    }

    /** One exchange: connect (and handshake), then the greeting or an HTTP status line. */
    private void answer(Listener l) throws IOException {
        Socket socket;
        if (l.kind().tls) {
            SSLSocket s = tls.connect(null, host, l.port());
            socket = s;
        } else {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, l.port()), 5000);
        }
        try (socket) {
            socket.setSoTimeout(5000);
            if (l.kind().http()) {
                OutputStream out = socket.getOutputStream();
                out.write(("HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String line = firstLine(socket.getInputStream());
            if (!line.startsWith(l.kind().answer)) {
                throw new IOException(l.service() + " answered: " + line);
            }
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 1000) {
                break;
            }
        }
        return sb.toString();
    }

}
