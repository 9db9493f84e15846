package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.limits.ClientLimits;
import chatmail.metrics.Metrics;
import chatmail.tls.TlsContexts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlpnRouterTest {

    record HandedOver(byte[] bytes, boolean open) {}

    @TempDir Path dir;
    TlsContexts tls;
    AlpnRouter router;
    ClientLimits limits;
    final CompletableFuture<HandedOver> fallback = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        Config.Builder b = Config.builder("chatmail.localhost");
        b.dataDir = dir;
        Config config = b.build();
        tls = TlsContexts.create(config);
        limits = new ClientLimits(config, java.time.Clock.systemUTC(), new Metrics());
        router = new AlpnRouter("test443", InetAddress.getLoopbackAddress(), 0, tls, limits,
                (channel, bytes, admission) -> {
                    fallback.complete(new HandedOver(bytes, channel.isOpen()));
                    channel.close();
                    admission.close();
                },
                new AlpnRouter.Settings(32 * 1024, Duration.ofMillis(500)));
    }

    @AfterEach
    void stop() {
        router.close();
        limits.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), router.port());
        s.setSoTimeout(20_000);
        return s;
    }

    @Test
    void theFallbackGetsTheOpenConnectionAndExactlyTheBytesRead() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("h2", "http/1.1"));
        try (Socket s = connect()) {
            s.getOutputStream().write(hello);
            HandedOver h = fallback.get(20, TimeUnit.SECONDS);
            assertThat(h.open()).isTrue();
            assertThat(h.bytes()).isEqualTo(hello);
        }
    }

    @Test
    void bytesThatAreNotTlsGoToTheFallbackAsTheyCame() throws Exception {
        byte[] http = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = connect()) {
            s.getOutputStream().write(http);
            assertThat(fallback.get(20, TimeUnit.SECONDS).bytes()).isEqualTo(http);
        }
    }

    @Test
    void aRegisteredProtocolIsServedInProcessWithItsAlpnSelected() throws Exception {
        CompletableFuture<InetAddress> seenPeer = new CompletableFuture<>();
        router.route("imap", transport -> {
            seenPeer.complete(transport.peer());
            transport.out().write("* OK hello\r\n".getBytes(StandardCharsets.US_ASCII));
            transport.out().flush();
        });
        try (SSLSocket s = clientTls(List.of("h2", "imap"))) {
            assertThat(s.getApplicationProtocol()).isEqualTo("imap");
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("* OK hello\r\n");
        }
        assertThat(seenPeer.get(20, TimeUnit.SECONDS)).isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(fallback).isNotDone();
    }

    @Test
    void aClientThatSendsNothingIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = connect()) {
            long start = System.nanoTime();
            int first = s.getInputStream().read();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // Dropped (not the client's 20 s read timeout), and not before the 500 ms the router allows.
            assertThat(first).isEqualTo(-1);
            assertThat(waited).isGreaterThanOrEqualTo(400L);
        }
        assertThat(fallback).isNotDone();
    }

    @Test
    void closingTheRouterEndsConnectionsServedInProcess() throws Exception {
        CompletableFuture<Void> serving = new CompletableFuture<>();
        router.route("smtp", transport -> {
            serving.complete(null);
            transport.in().read(); // blocks until the connection ends
        });
        try (SSLSocket s = clientTls(List.of("smtp"))) {
            s.getOutputStream().flush();
            serving.get(20, TimeUnit.SECONDS);
            router.close();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (javax.net.ssl.SSLException | java.net.SocketException closed) {
            // a reset is an ending too
        }
    }

    private SSLSocket clientTls(List<String> alpn) throws Exception {
        SSLContext context = tls.insecureOutboundContext();
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(connect(), "chatmail.localhost", router.port(), true);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }
}
