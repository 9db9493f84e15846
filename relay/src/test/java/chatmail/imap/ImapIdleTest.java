package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** IDLE (IMAP-4): deliveries and other sessions' changes arrive at once; DONE is answered at once. */
class ImapIdleTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        // Keep-alives every 700 ms where the test is about them; elsewhere two minutes, so that an
        // answer the server only gave at the IDLE notifier's next wake-up would miss the client's
        // 10-second read deadline.
        boolean aboutKeepAlives = test.getTestMethod().orElseThrow().getName().startsWith("keepAlives");
        Duration keepAlive = aboutKeepAlives ? Duration.ofMillis(700) : Duration.ofMinutes(2);
        fx = ImapFixture.start(dir, b -> {
            b.timeouts = new chatmail.config.Config.Timeouts(
                    Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(1),
                    Duration.ofSeconds(4), keepAlive, Duration.ofDays(1));
            storage(b);
        });
    }

    /** The backend these tests run on: the default (SQLite) here; a subclass picks another. */
    void storage(chatmail.config.Config.Builder b) {
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void messageSubmittedOverSmtpReachesTheIdleSessionAsExists() throws Exception {
        String sender = TestRelay.address("sendsmtp1");
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            SmtpSubmitter.submit(fx.relay, sender, ImapFixture.PASSWORD, fx.user, TestMessages.encrypted(sender, fx.user));
            // Read with the client's deadline: the EXISTS must come without any client action.
            String line = c.line();
            while (line.equals("* OK Still here")) {
                line = c.line();
            }
            assertThat(line).isEqualTo("* 1 EXISTS");
            // DONE is answered at once, not at the IDLE notifier's next wake-up: that is the
            // keep-alive, two minutes away here, far beyond the client's 10-second read deadline.
            c.send("DONE\r\n");
            assertThat(c.line()).isEqualTo("i OK Idle completed.");
            assertThat(c.command("f", "UID FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (FROM)])")).containsExactly(
                    "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] " + ImapFetchTest.lit("From: <" + sender + ">\r\n\r\n") + ")",
                    "f OK Fetch completed.");
        }
    }

    @Test
    void flagChangesAndExpungesOfAnotherSessionArriveDuringIdle() throws Exception {
        fx.deliver(ImapFixture.small(1));
        fx.deliver(ImapFixture.small(2));
        try (ImapTestClient idler = fx.client(); ImapTestClient other = fx.client()) {
            idler.ok("SELECT INBOX");
            other.ok("SELECT INBOX");
            idler.send("i IDLE\r\n");
            assertThat(idler.line()).isEqualTo("+ idling");
            other.ok("UID STORE 1 +FLAGS.SILENT (\\Seen)");
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 1 FETCH (UID 1 FLAGS (\\Seen))");
            other.ok("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 2 FETCH (UID 2 FLAGS (\\Deleted))");
            other.ok("EXPUNGE");
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 2 EXPUNGE");
            idler.send("DONE\r\n");
            assertThat(idler.line()).isEqualTo("i OK Idle completed.");
        }
    }

    @Test
    void keepAlivesComeWhileQuietAndIdleEndsAfterItsTimeout() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            assertThat(c.line()).isEqualTo("* OK Still here");
            assertThat(c.line()).isEqualTo("* OK Still here");
            // imapIdle is 4 s here: the server ends the connection, the client's 10 s deadline is not reached.
            String line;
            do {
                line = c.line();
            } while (line.equals("* OK Still here"));
            assertThat(line).isEqualTo("* BYE Disconnected for inactivity.");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void changesBeforeIdleAreReportedWhenItStarts() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            fx.deliver(ImapFixture.small(1));
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            assertThat(c.lineSkippingKeepAlives()).isEqualTo("* 1 EXISTS");
            c.send("DONE\r\n");
            assertThat(c.line()).isEqualTo("i OK Idle completed.");
            c.send("j IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            c.send("NOT DONE\r\n");
            assertThat(c.lineSkippingKeepAlives()).isEqualTo("j BAD Expected DONE.");
        }
    }
}
