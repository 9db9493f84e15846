package chatmail.imap;

import static chatmail.testing.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.PrometheusText;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OPS-3: IDLE sessions are counted, and a delivery is timed to the EXISTS of a connection that was idling. */
class ImapIdleMetricsTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private Map<String, Double> scrape() {
        return PrometheusText.scrape(fx.relay.relay().metrics());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return value(after, name) - value(before, name);
    }

    @Test
    void aSubmittedMessageIsTimedToTheIdlingConnectionsExists() throws Exception {
        String sender = TestRelay.address("sendsmtp1");
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            Map<String, Double> before = scrape();
            assertThat(value(before, "chatmail_imap_idle_sessions", "scope", "node")).isZero();
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            assertThat(value(scrape(), "chatmail_imap_idle_sessions", "scope", "node")).isEqualTo(1);

            SmtpSubmitter.submit(fx.relay, sender, ImapFixture.PASSWORD, fx.user, TestMessages.encrypted(sender, fx.user));
            String line = c.line();
            while (line.equals("* OK Still here")) {
                line = c.line();
            }
            assertThat(line).isEqualTo("* 1 EXISTS");
            c.send("DONE\r\n");
            assertThat(c.line()).isEqualTo("i OK Idle completed.");

            Map<String, Double> after = scrape();
            assertThat(value(after, "chatmail_imap_idle_sessions", "scope", "node")).isZero();
            assertThat(delta(before, after, "chatmail_delivery_commit_seconds_count")).isEqualTo(1);
            assertThat(delta(before, after, "chatmail_delivery_idle_seconds_count")).isEqualTo(1);
            // No order between the two: the IDLE session hears of the commit before the delivering thread does.
            assertThat(delta(before, after, "chatmail_delivery_idle_seconds_sum")).isPositive();
        }
    }

    @Test
    void mailCommittedBeforeIdleBeganIsACatchUpNotAPush() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            Map<String, Double> before = scrape();
            fx.deliver(ImapFixture.small(1));
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            assertThat(c.line()).isEqualTo("* 1 EXISTS");
            c.send("DONE\r\n");
            assertThat(c.line()).isEqualTo("i OK Idle completed.");
            Map<String, Double> after = scrape();
            assertThat(delta(before, after, "chatmail_delivery_commit_seconds_count")).isEqualTo(1);
            assertThat(delta(before, after, "chatmail_delivery_idle_seconds_count")).isZero();
        }
    }
}
