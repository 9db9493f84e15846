package chatmail.metrics;

import static chatmail.testing.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.ServerReply;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.testing.PrometheusText;
import chatmail.testing.TestRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPS-3 metrics of a whole relay, scraped over HTTP from {@code metrics_address} and read with a
 * strict parser: each event a client causes moves its counter by exactly one.
 */
class RelayMetricsTest {

    @TempDir
    Path dir;

    private TestRelay relay;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        relay = TestRelay.start(dir, b -> b.metricsAddress = "127.0.0.1:9");
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port("metrics") + path)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String... labels) {
        return value(after, name, labels) - value(before, name, labels);
    }

    private SmtpClient submission() throws Exception {
        return SmtpClient.ready(relay.port("submissions"), true);
    }

    @Test
    void eachClientEventMovesItsCounterByExactlyOne() throws Exception {
        Map<String, Double> before = scrape();
        String alice = SmtpFixtures.newAddress();
        String bob = SmtpFixtures.newAddress();
        try (SmtpClient c = submission()) {
            c.expect(c.authPlain(bob, SmtpFixtures.PASSWORD), 235);
        }
        try (SmtpClient c = submission()) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.expect(c.sendMail(alice, bob, TestMessages.encrypted(alice, bob)), 250);
            ServerReply plain = c.sendMail(alice, bob, TestMessages.plainText(alice, bob, "hello"));
            assertThat(plain.line()).startsWith("523 5.7.10 ");
        }
        try (SmtpClient c = submission()) {
            c.expect(c.authPlain(SmtpFixtures.newAddress(), "short"), 535);
        }
        try (SmtpClient c = submission()) {
            c.expect(c.authPlain("x@" + TestRelay.DOMAIN, SmtpFixtures.PASSWORD), 535);
        }
        try (SmtpClient c = submission()) {
            c.expect(c.authPlain(alice, "not-" + SmtpFixtures.PASSWORD), 535);
        }
        Map<String, Double> after = scrape();

        assertThat(delta(before, after, "chatmail_accounts_created_total")).isEqualTo(2);
        assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", "short_password")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", "invalid_name")).isEqualTo(1);
        for (AccountRefusal other : new AccountRefusal[] {AccountRefusal.NOCREATE, AccountRefusal.LOAD,
                AccountRefusal.MEMORY, AccountRefusal.DISK}) {
            assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", other.label())).isZero();
        }
        assertThat(delta(before, after, "chatmail_logins_total", "service", "smtp", "result", "ok")).isEqualTo(2);
        assertThat(delta(before, after, "chatmail_logins_total", "service", "smtp", "result", "failed")).isEqualTo(3);
        assertThat(delta(before, after, "chatmail_logins_total", "service", "imap", "result", "ok")).isZero();
        assertThat(delta(before, after, "chatmail_messages_delivered_total", "path", "submission")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_messages_delivered_total", "path", "mx")).isZero();
        assertThat(delta(before, after, "chatmail_messages_refused_total", "reason", "not_encrypted")).isEqualTo(1);
        for (Refusal other : Refusal.values()) {
            if (other != Refusal.NOT_ENCRYPTED) {
                assertThat(delta(before, after, "chatmail_messages_refused_total", "reason", other.label()))
                        .as(other.label()).isZero();
            }
        }
        assertThat(delta(before, after, "chatmail_delivery_commit_seconds_count")).isEqualTo(1);
        assertThat(value(after, "chatmail_accounts", "scope", "node")).isEqualTo(2);
        assertThat(value(after, "chatmail_stored_messages", "scope", "node")).isEqualTo(1);
        assertThat(value(after, "chatmail_stored_bytes", "scope", "node")).isPositive();
        assertThat(value(after, "jvm_memory_used_bytes", "area", "heap")).isPositive();
        // On its own storage every gauge is this node's: sums across relays are right.
        assertThat(after.keySet().stream().filter(k -> k.contains("scope=")))
                .contains("chatmail_outbound_queue_size{scope=\"node\"}", "chatmail_push_queue_size{scope=\"node\"}")
                .allMatch(k -> k.contains("scope=\"node\""));
        assertThat(after.keySet()).anyMatch(k -> k.matches("chatmail_node_info\\{node=\"[0-9a-f-]{36}\",scope=\"node\",storage=\"sqlite\"}"))
                .noneMatch(k -> k.startsWith("chatmail_cluster_"));
    }

    @Test
    void anOpenConnectionShowsUnderItsService() throws Exception {
        try (SmtpClient c = submission()) {
            Map<String, Double> open = scrape();
            assertThat(value(open, "chatmail_connections", "service", "submission", "scope", "node")).isEqualTo(1);
            assertThat(value(open, "chatmail_connections", "service", "imap", "scope", "node")).isZero();
        }
    }

    @Test
    void onlyGetAndHeadOfMetricsAreServed() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/x").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port("metrics") + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body()).isEmpty();
    }

    @Test
    void noMetricsListenerUnlessConfigured() throws Exception {
        try (TestRelay plain = TestRelay.start(dir.resolve("other"))) {
            assertThat(plain.relay().ports()).doesNotContainKey("metrics");
        }
    }
}
