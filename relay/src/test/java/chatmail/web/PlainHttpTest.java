package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.limits.ClientLimits;
import chatmail.metrics.Metrics;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import chatmail.tls.TlsContexts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Port 80 (http_port): redirects to HTTPS, except pending ACME HTTP-01 challenges. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainHttpTest {

    TestRelay relay;
    /** The web side alone, answering the HTTP-01 challenges an ACME client keeps pending. */
    WebServer acmeWeb;
    ClientLimits acmeLimits;
    final Map<String, String> pending = new ConcurrentHashMap<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        relay = TestRelay.start(dir.resolve("relay"));
        Config.Builder b = Config.builder("chat.example");
        b.dataDir = dir.resolve("web");
        b.listenAddresses = List.of("127.0.0.1");
        Config config = b.build();
        MutableClock clock = new MutableClock();
        acmeLimits = new ClientLimits(config, clock, new Metrics());
        acmeWeb = WebServer.start(config, TlsContexts.create(config),
                WebServer.Settings.of(clock, true, Map::of, acmeLimits)
                        .withAcmeHttp(token -> Optional.ofNullable(pending.get(token))));
        pending.put("tok-EN_123", "tok-EN_123.thumbprint");
    }

    @AfterAll
    void stop() {
        relay.close();
        acmeWeb.close();
        acmeLimits.close();
    }

    private WebClients.RawResponse get(String target, String host) throws Exception {
        return WebClients.rawHttp(relay.port("http"),
                "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    private String httpsOrigin() {
        return "https://chatmail.localhost:" + relay.port("https");
    }

    @Test
    void everythingElseMovesToHttpsKeepingPathAndQuery() throws Exception {
        WebClients.RawResponse r = get("/info.html?x=1&y=2", "chatmail.localhost");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("location")).isEqualTo(httpsOrigin() + "/info.html?x=1&y=2");
        assertThat(get("/new", "chatmail.localhost").header("location")).isEqualTo(httpsOrigin() + "/new");
    }

    @Test
    void wwwAndUnknownHostsMoveToTheDomain() throws Exception {
        assertThat(get("/", "www.chatmail.localhost").header("location")).isEqualTo(httpsOrigin() + "/");
        assertThat(get("/", "evil.example").header("location")).isEqualTo(httpsOrigin() + "/");
        assertThat(get("/mail/config-v1.1.xml", "autoconfig.chatmail.localhost").header("location"))
                .isEqualTo("https://autoconfig.chatmail.localhost:" + relay.port("https") + "/mail/config-v1.1.xml");
    }

    @Test
    void absoluteFormTargetsAreRedirectedToo() throws Exception {
        WebClients.RawResponse r = get("http://chatmail.localhost/privacy.html", "chatmail.localhost");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("location")).isEqualTo(httpsOrigin() + "/privacy.html");
    }

    @Test
    void pendingAcmeChallengesAreAnsweredOverPlainHttp() throws Exception {
        WebClients.RawResponse r = WebClients.rawHttp(acmeWeb.ports().get("http"),
                "GET /.well-known/acme-challenge/tok-EN_123 HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tok-EN_123.thumbprint");
        // A CA that followed a redirect to HTTPS finds it there as well.
        assertThat(WebClients.get("https://127.0.0.1:" + acmeWeb.ports().get("https")
                + "/.well-known/acme-challenge/tok-EN_123").body()).isEqualTo("tok-EN_123.thumbprint");

        pending.remove("tok-EN_123");
        assertThat(WebClients.rawHttp(acmeWeb.ports().get("http"),
                "GET /.well-known/acme-challenge/tok-EN_123 HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n")
                .status()).as("answered only while pending").isEqualTo(404);
        pending.put("tok-EN_123", "tok-EN_123.thumbprint");
    }

    @Test
    void unknownOrForgedChallengeTokensAre404NotRedirects() throws Exception {
        pending.put("..", "must never be answered");
        pending.put(".hidden", "must never be answered");
        int port = acmeWeb.ports().get("http");
        for (String token : List.of("unknown", "", "..%2Fsecret", ".hidden", "..")) {
            WebClients.RawResponse r = WebClients.rawHttp(port, "GET /.well-known/acme-challenge/" + token
                    + " HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).as(token).isIn(400, 404);
            assertThat(r.body()).as(token).doesNotContain("must never");
        }
        // A relay without ACME answers no token at all.
        assertThat(get("/.well-known/acme-challenge/tok-EN_123", "chatmail.localhost").status()).isEqualTo(404);
    }

    @Test
    void plainHttpOnTheHttpsPortGetsNoPage() throws Exception {
        // Not TLS: the router hands it to the HTTPS side, whose handshake fails.
        try (var s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), relay.port("https"))) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: chatmail.localhost\r\n\r\n".getBytes());
            byte[] answer = s.getInputStream().readAllBytes();
            assertThat(new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("chatmail relay");
        }
        assertThat(WebClients.get(WebRelays.https(relay, "/robots.txt")).statusCode()).isEqualTo(200);
    }
}
