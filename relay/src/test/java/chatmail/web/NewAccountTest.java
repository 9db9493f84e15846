package chatmail.web;

import static chatmail.web.WebRelays.https;
import static chatmail.web.WebRelays.json;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** ACC-4: {@code /new} on a self-signed relay (dev mode) and on a relay with a public domain. */
class NewAccountTest {

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SelfSigned {
        TestRelay relay;

        @BeforeAll
        void start(@TempDir Path dir) throws Exception {
            relay = TestRelay.start(dir);
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
        void postAnswersFreshCredentialsWithADcLoginLinkNamingTheRealPorts() throws Exception {
            HttpResponse<String> r = WebClients.send("POST", https(relay, "/new"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
            Map<String, String> j = json(r.body());
            assertThat(j).containsOnlyKeys("email", "password", "dclogin_url");
            assertThat(j.get("email")).matches("[a-z0-9]{9}@chatmail\\.localhost");
            assertThat(j.get("password")).hasSize(12);
            String link = j.get("dclogin_url");
            String expectedStart = "dclogin:" + j.get("email") + "?p=";
            assertThat(link).startsWith(expectedStart);
            String p = link.substring(expectedStart.length(), link.indexOf("&v=1&ic=3"));
            assertThat(URLDecoder.decode(p, StandardCharsets.UTF_8)).isEqualTo(j.get("password"));
            // Dev mode binds other ports than 993/465, so the link tells where to connect.
            assertThat(link).endsWith("&v=1&ic=3&ih=127.0.0.1&ip=" + relay.port("imaps")
                    + "&is=ssl&sh=127.0.0.1&sp=" + relay.port("submissions") + "&ss=ssl");
        }

        @Test
        void getAnswersTheSameJsonInSelfSignedMode() throws Exception {
            HttpResponse<String> r = WebClients.get(https(relay, "/new"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r.body())).containsOnlyKeys("email", "password", "dclogin_url");
        }

        @Test
        void everyAnswerIsNewAndNoAccountIsCreated() throws Exception {
            Map<String, String> a = json(WebClients.send("POST", https(relay, "/new")).body());
            Map<String, String> b = json(WebClients.send("POST", https(relay, "/new")).body());
            assertThat(a.get("email")).isNotEqualTo(b.get("email"));
            assertThat(a.get("password")).isNotEqualTo(b.get("password"));
            assertThat(relay.relay().store().findAccount(a.get("email"))).isEmpty();
        }

        @Test
        void otherMethodsAre405WithAJsonReason() throws Exception {
            for (String method : new String[] {"PUT", "DELETE", "PATCH"}) {
                HttpResponse<String> r = WebClients.send(method, https(relay, "/new"));
                assertThat(r.statusCode()).as(method).isEqualTo(405);
                assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
                assertThat(json(r.body())).containsOnlyKeys("reason");
                assertThat(r.headers().firstValue("allow")).hasValue("GET, POST");
            }
        }

        @Test
        void theSixthRapidRequestIsRefusedWith429AndAJsonReason() throws Exception {
            for (int i = 1; i <= 5; i++) {
                assertThat(WebClients.send("POST", https(relay, "/new")).statusCode()).as("request %d", i).isEqualTo(200);
            }
            HttpResponse<String> sixth = WebClients.send("POST", https(relay, "/new"));
            assertThat(sixth.statusCode()).isEqualTo(429);
            assertThat(sixth.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(json(sixth.body()).get("reason")).contains("too many");
            // Two per second refill: half a second later one more passes, the next does not.
            relay.clock().advance(Duration.ofMillis(500));
            assertThat(WebClients.send("POST", https(relay, "/new")).statusCode()).isEqualTo(200);
            assertThat(WebClients.send("POST", https(relay, "/new")).statusCode()).isEqualTo(429);
        }

        @Test
        void absoluteFormRequestTargetsWork() throws Exception {
            WebClients.RawResponse r = WebClients.rawHttps(relay.port("https"),
                    "POST https://chatmail.localhost/new HTTP/1.1\r\n"
                            + "Host: chatmail.localhost\r\n"
                            + "Content-Length: 0\r\n"
                            + "Connection: close\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r.body()).get("email")).endsWith("@chatmail.localhost");
        }

        @Test
        void absoluteFormWithAPortAndABodyWorks() throws Exception {
            int port = relay.port("https");
            WebClients.RawResponse r = WebClients.rawHttps(port,
                    "POST https://chatmail.localhost:" + port + "/new HTTP/1.1\r\n"
                            + "Host: chatmail.localhost:" + port + "\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\n"
                            + "Content-Length: 3\r\n"
                            + "Connection: close\r\n\r\nx=1");
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r.body())).containsKeys("email", "password", "dclogin_url");
        }

        @Test
        void absoluteFormWinsOverADifferentHostHeader() throws Exception {
            // RFC 9112 3.2.2: the target's authority counts, the Host header is ignored.
            WebClients.RawResponse r = WebClients.rawHttps(relay.port("https"),
                    "POST https://chatmail.localhost/new HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:" + relay.port("https") + "\r\n"
                            + "Content-Length: 0\r\n"
                            + "Connection: close\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r.body())).containsKey("email");
        }

        @Test
        void badRequestsToNewAreAnsweredInJson() throws Exception {
            WebClients.RawResponse r = WebClients.rawHttps(relay.port("https"),
                    "POST /new HTTP/1.1\r\nHost: chatmail.localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
                            + "Connection: close\r\n\r\nxx");
            assertThat(r.status()).isEqualTo(400);
            assertThat(json(r.body())).containsKey("reason");
        }
    }

    @Test
    void anIpOnlyRelayHandsOutBracketedAddressesAndNamesItsAddress(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir, b -> b.mailDomain = "127.0.0.1")) {
            Map<String, String> j = json(WebClients.send("POST", https(relay, "/new")).body());
            assertThat(j.get("email")).matches("[a-z0-9]{9}@\\[127\\.0\\.0\\.1\\]");
            assertThat(j.get("dclogin_url")).startsWith("dclogin:" + j.get("email") + "?p=")
                    .contains("&ih=127.0.0.1&ip=" + relay.port("imaps") + "&is=ssl&sh=127.0.0.1&sp="
                            + relay.port("submissions") + "&ss=ssl");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class PublicDomain {
        TestRelay relay;

        @BeforeAll
        void start(@TempDir Path dir) throws Exception {
            relay = WebRelays.external(dir, b -> { });
        }

        @AfterAll
        void stop() {
            relay.close();
        }

        @Test
        void aBrowsersGetIsSentOnToDeltaChat() throws Exception {
            HttpResponse<String> r = WebClients.get(https(relay, "/new"));
            assertThat(r.statusCode()).isEqualTo(301);
            assertThat(r.headers().firstValue("location")).hasValue("dcaccount:https://chat.example/new");
        }

        @Test
        void postAnswersOnlyEmailAndPassword() throws Exception {
            HttpResponse<String> r = WebClients.send("POST", https(relay, "/new"));
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, String> j = json(r.body());
            assertThat(j).containsOnlyKeys("email", "password");
            assertThat(j.get("email")).matches("[a-z0-9]{9}@chat\\.example");
            assertThat(j.get("password")).hasSize(12).matches("[\\x21-\\x7e]+");
        }

        @Test
        void lengthsFollowTheConfiguration(@TempDir Path other) throws Exception {
            try (TestRelay longer = WebRelays.external(other, b -> {
                b.usernameMinLength = 12;
                b.usernameMaxLength = 16;
                b.passwordMinLength = 20;
            })) {
                Map<String, String> j = json(WebClients.send("POST", https(longer, "/new")).body());
                assertThat(j.get("email")).matches("[a-z0-9]{16}@chat\\.example");
                assertThat(j.get("password")).hasSize(23);
            }
        }
    }
}
