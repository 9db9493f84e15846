package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Port 80 (http_port): redirects to HTTPS, except ACME HTTP-01 challenges. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainHttpTest {

    TestRelay relay;
    Path challenges;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        relay = TestRelay.start(dir);
        challenges = Files.createDirectories(dir.resolve("acme-challenge"));
        Files.writeString(challenges.resolve("tok-EN_123"), "tok-EN_123.thumbprint");
    }

    @AfterAll
    void stop() {
        relay.close();
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
    void acmeChallengesAreAnsweredOverPlainHttp() throws Exception {
        WebClients.RawResponse r = get("/.well-known/acme-challenge/tok-EN_123", "chatmail.localhost");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tok-EN_123.thumbprint");
        // A CA that followed a redirect to HTTPS finds it there as well.
        assertThat(WebClients.get(WebRelays.https(relay, "/.well-known/acme-challenge/tok-EN_123")).body())
                .isEqualTo("tok-EN_123.thumbprint");
    }

    @Test
    void unknownOrForgedChallengeTokensAre404NotRedirects() throws Exception {
        assertThat(get("/.well-known/acme-challenge/unknown", "chatmail.localhost").status()).isEqualTo(404);
        assertThat(get("/.well-known/acme-challenge/", "chatmail.localhost").status()).isEqualTo(404);
        Files.writeString(challenges.getParent().resolve("secret"), "not for the web");
        assertThat(get("/.well-known/acme-challenge/..%2Fsecret", "chatmail.localhost").status()).isIn(400, 404);
        assertThat(get("/.well-known/acme-challenge/.hidden", "chatmail.localhost").status()).isEqualTo(404);
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
