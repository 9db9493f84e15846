package chatmail.web;

import static chatmail.web.WebRelays.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.testing.TestRelay;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** WEB-3: one port for HTTPS, SMTP and IMAP, routed by the ClientHello's ALPN. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Port443RoutingTest {

    static final InetAddress OTHER_CLIENT = loopback(127, 0, 0, 2);

    TestRelay relay;
    int port;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        // max_smtp_connections 5 leaves one connection per client address.
        relay = TestRelay.start(dir, b -> b.maxSmtpConnections = 5);
        port = relay.port("https");
    }

    @AfterAll
    void stop() {
        relay.close();
    }

    @BeforeEach
    void refillRateLimit() {
        relay.clock().advance(Duration.ofMinutes(1));
    }

    @Test
    void alpnSmtpReachesSubmissionAndAuthCreatesTheAccount() throws Exception {
        try (SSLSocket tls = WebClients.tls(port, List.of("smtp")); SmtpProbe smtp = new SmtpProbe(tls)) {
            assertThat(tls.getApplicationProtocol()).isEqualTo("smtp");
            assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(smtp.greeting).startsWith("220 chatmail.localhost");
            assertThat(smtp.login(TestRelay.address("via443okk"), "password-443")).startsWith("235");
        }
        assertThat(relay.relay().store().findAccount(TestRelay.address("via443okk"))).isPresent();
    }

    @Test
    void alpnImapReachesImapAndLoginCreatesTheAccount() throws Exception {
        try (SSLSocket tls = WebClients.tls(port, List.of("imap"))) {
            assertThat(tls.getApplicationProtocol()).isEqualTo("imap");
            assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.3");
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("* OK [CAPABILITY IMAP4rev1 ");
            tls.getOutputStream().write(("a LOGIN " + TestRelay.address("imap443ok") + " \"password-443\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            tls.getOutputStream().flush();
            String line = in.readLine();
            while (line != null && line.startsWith("*")) {
                line = in.readLine();
            }
            assertThat(line).startsWith("a OK [CAPABILITY IMAP4rev1 ").contains(" XCHATMAIL");
        }
        assertThat(relay.relay().store().findAccount(TestRelay.address("imap443ok"))).isPresent();
    }

    @Test
    void alpnSmtpIsTls13Only() {
        assertThatThrownBy(() -> WebClients.tls(null, port, List.of("smtp"), List.of("TLSv1.2")).close())
                .isInstanceOf(SSLException.class);
    }

    @Test
    void browsersAndClientsWithoutAlpnGetHttpsOverTls12And13() throws Exception {
        for (List<String> alpn : List.<List<String>>of(List.of("h2", "http/1.1"), List.of(), List.of("acme-tls/1"), List.of("foo"))) {
            for (String version : List.of("TLSv1.3", "TLSv1.2")) {
                try (SSLSocket tls = WebClients.tls(null, port, alpn, List.of(version))) {
                    assertThat(tls.getSession().getProtocol()).isEqualTo(version);
                    tls.getOutputStream().write("GET /robots.txt HTTP/1.1\r\nHost: chatmail.localhost\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(answer).as("ALPN %s over %s", alpn, version).startsWith("HTTP/1.1 200").endsWith("Disallow: /\n");
                }
            }
        }
    }

    @Test
    void aClientHelloArrivingByteByByteIsRoutedToo() throws Exception {
        Socket trickling = new Socket() {
            @Override
            public OutputStream getOutputStream() throws IOException {
                return new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        for (int i = 0; i < len; i++) {
                            out.write(b[off + i]);
                            out.flush();
                        }
                    }
                };
            }
        };
        trickling.setTcpNoDelay(true);
        trickling.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        trickling.setSoTimeout(20_000);
        SSLSocket tls = (SSLSocket) WebClients.trustAll().getSocketFactory().createSocket(trickling, "x", port, true);
        var p = tls.getSSLParameters();
        p.setApplicationProtocols(new String[] {"smtp"});
        tls.setSSLParameters(p);
        try (SmtpProbe smtp = new SmtpProbe(tls)) {
            assertThat(smtp.greeting).startsWith("220 ");
            assertThat(smtp.command("EHLO client.example")).startsWith("250 ");
        }
    }

    @Test
    void smtpBehind443SeesTheRealClientAddress() throws Exception {
        // Per-client limit 1: a submissions connection from 127.0.0.1 uses up that address's
        // allowance. Via 443, 127.0.0.1 is then refused while 127.0.0.2 is served, which only
        // holds if the router passed on each connection's own address.
        try (SSLSocket held = WebClients.tls(null, relay.port("submissions"), List.of(), List.of("TLSv1.3"));
                SmtpProbe first = new SmtpProbe(held)) {
            assertThat(first.greeting).startsWith("220 ");
            try (SSLSocket same = WebClients.tls(InetAddress.getLoopbackAddress(), port, List.of("smtp"), List.of("TLSv1.3"));
                    SmtpProbe refused = new SmtpProbe(same)) {
                assertThat(refused.greeting).startsWith("421 ");
            }
            try (SSLSocket other = WebClients.tls(OTHER_CLIENT, port, List.of("smtp"), List.of("TLSv1.3"));
                    SmtpProbe served = new SmtpProbe(other)) {
                assertThat(served.greeting).startsWith("220 ");
            }
        }
    }

    @Test
    void httpsBehindTheRouterSeesTheRealClientAddress() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(newFrom(InetAddress.getLoopbackAddress()).status()).isEqualTo(200);
        }
        assertThat(newFrom(InetAddress.getLoopbackAddress()).status()).isEqualTo(429);
        // Another client address still has its own allowance.
        WebClients.RawResponse other = newFrom(OTHER_CLIENT);
        assertThat(other.status()).isEqualTo(200);
        assertThat(json(other.body())).containsKey("email");
    }

    private WebClients.RawResponse newFrom(InetAddress from) throws Exception {
        try (SSLSocket tls = WebClients.tls(from, port, List.of("http/1.1"), List.of("TLSv1.3"))) {
            tls.getOutputStream().write(("POST /new HTTP/1.1\r\nHost: chatmail.localhost\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return WebClients.parse(tls.getInputStream().readAllBytes());
        }
    }

    private static InetAddress loopback(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
