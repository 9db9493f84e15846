package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.expiry.ExpiryReport;
import chatmail.smtp.SmtpClient;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-9: deleting an account (here by expiry of inactive accounts) ends its open sessions: an
 * IMAP client in IDLE is told {@code * BYE}, other IMAP and SMTP sessions are closed. Other
 * accounts' sessions go on.
 */
class AccountDeletionTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void anExpiredAccountsSessionsEndAndOthersGoOn() throws Exception {
        fx = ImapFixture.start(dir);
        String keeper = TestRelay.address("keeperacc");
        try (ImapTestClient idling = fx.client();
                ImapTestClient busy = fx.client();
                SmtpClient smtp = SmtpClient.ready(fx.relay.port("submissions"), true)) {
            smtp.expect(smtp.authPlain(fx.user, ImapFixture.PASSWORD), 235);
            idling.ok("SELECT INBOX");
            idling.send("i IDLE\r\n");
            assertThat(idling.line()).isEqualTo("+ idling");
            busy.ok("SELECT INBOX");

            // The user stops logging in; the keeper logs in the day expiry runs.
            fx.relay.clock().advance(Duration.ofDays(91));
            try (ImapTestClient other = ImapTestClient.imaps(fx.relay).login(keeper, ImapFixture.PASSWORD)) {
                other.ok("SELECT INBOX");
                other.send("k IDLE\r\n");
                assertThat(other.line()).isEqualTo("+ idling");

                ExpiryReport report = fx.relay.relay().expiry().run(false);
                assertThat(report.inactiveAccounts()).isEqualTo(1);
                assertThat(fx.relay.relay().store().findAccount(fx.user)).isEmpty();

                String line = idling.line();
                while (line.equals("* OK Still here")) {
                    line = idling.line();
                }
                assertThat(line).isEqualTo("* BYE Account deleted.");
                assertThat(idling.closedByServer()).isTrue();
                assertThat(busy.closedByServer()).isTrue();
                assertThat(smtp.awaitClosed()).isEmpty();
                assertThat(fx.relay.relay().limits().sessionsOf(fx.account.id())).isZero();

                // The keeper's IDLE session still gets its mail.
                SmtpSubmitter.submit(fx.relay, keeper, ImapFixture.PASSWORD, keeper,
                        chatmail.policy.fixtures.TestMessages.encrypted(keeper, keeper));
                String exists = other.line();
                while (exists.equals("* OK Still here")) {
                    exists = other.line();
                }
                assertThat(exists).isEqualTo("* 1 EXISTS");
            }
        }
    }
}
