package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.testing.MetricValues;
import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port 443 at its limits (SEC-3), as a browser meets them. A connection the limits refuse is
 * closed before the TLS handshake, with nothing sent: no HTTP 503, because an answer needs the
 * handshake the limit is there to save (an ECDHE key exchange and a certificate signature per
 * connection, the cheapest CPU amplification an attacker has), and because before the
 * ClientHello the relay does not know whether the client speaks HTTP, IMAP or SMTP (ALPN), so no
 * one protocol's refusal would be right. At the service's cap the oldest connection goes
 * instead, so a newcomer is served.
 */
class Port443LimitsTest {
    /** max_https_connections: a fifth of it (2) per client address. */
    static final int CAP = 10;

    @TempDir
    Path dir;
    TestRelay relay;
    final List<Socket> silent = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : silent) {
            s.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void overItsShareAClientIsClosedBeforeTheHandshakeWithNothingSaid() throws Exception {
        relay = TestRelay.start(dir, b -> b.limits = b.limits.withMaxHttpsConnections(CAP));
        holdSilent("127.0.0.7");
        holdSilent("127.0.0.7");
        awaitHttpsConnections(2);

        // Raw: the connection is accepted and closed with no byte, before anything was sent.
        try (Socket third = connect("127.0.0.7")) {
            assertThat(third.getInputStream().read()).isEqualTo(-1);
        }
        // A browser: its handshake fails; there is no HTTP answer to read.
        assertThatThrownBy(() -> WebClients.tls(InetAddress.getByName("127.0.0.7"), relay.port("https"), List.of("http/1.1"),
                List.of("TLSv1.3", "TLSv1.2")).close()).isInstanceOf(IOException.class);
        assertThat(MetricValues.refused(relay, ConnectionService.HTTPS, ConnectionRefusal.CLIENT_CONNECTIONS)).isEqualTo(2);

        // Another address is served meanwhile, and the same one once it lets go of a connection.
        assertThat(get("127.0.0.8")).isEqualTo("HTTP/1.1 200 OK");
        silent.removeFirst().close();
        awaitHttpsConnections(1);
        assertThat(get("127.0.0.7")).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void atTheCapTheOldestConnectionIsClosedAndTheNewcomerServed() throws Exception {
        relay = TestRelay.start(dir, b -> b.limits = b.limits.withMaxHttpsConnections(CAP));
        for (int i = 0; i < CAP; i++) {
            holdSilent("127.0.0." + (11 + i / 2));
            awaitHttpsConnections(i + 1);
        }

        assertThat(get("127.0.0.30")).isEqualTo("HTTP/1.1 200 OK");

        Socket oldest = silent.getFirst();
        assertThat(oldest.getInputStream().read()).as("the oldest was closed, nothing said").isEqualTo(-1);
        assertThat(MetricValues.refused(relay, ConnectionService.HTTPS, ConnectionRefusal.EVICTED)).isEqualTo(1);
        // The other nine are still held: only the oldest made room.
        awaitHttpsConnections(CAP - 1);
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port("https"), InetAddress.getByName(from), 0);
        s.setSoTimeout((int) WebClients.TIMEOUT.toMillis());
        return s;
    }

    private void holdSilent(String from) throws IOException {
        silent.add(connect(from));
    }

    /** The status line of GET /robots.txt over TLS from {@code from}. */
    private String get(String from) throws IOException {
        try (SSLSocket s = WebClients.tls(InetAddress.getByName(from), relay.port("https"), List.of("http/1.1"),
                List.of("TLSv1.3", "TLSv1.2"))) {
            s.getOutputStream().write(("GET /robots.txt HTTP/1.1\r\nHost: " + TestRelay.DOMAIN + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private void awaitHttpsConnections(int n) {
        MetricValues.awaitConnections(relay, ConnectionService.HTTPS, n, WebClients.TIMEOUT);
    }
}
