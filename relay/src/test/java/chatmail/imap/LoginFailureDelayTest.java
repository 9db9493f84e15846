package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-3: failed logins of one client are counted across IMAP, SMTP and port 443; past five
 * within a minute the answer to each wrong password waits, while a right password from the
 * same address is answered at once. No lockout.
 */
class LoginFailureDelayTest {
    static final Duration FIRST_DELAY = Duration.ofSeconds(6);
    static final String IMAP_FAILED = "NO [AUTHENTICATIONFAILED] Authentication failed.";

    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    private static String login(String user, String password) {
        return "LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(password);
    }

    @Test
    void theSixthWrongPasswordWaitsWhileARightOneFromTheSameAddressDoesNot() throws Exception {
        fx = ImapFixture.start(dir, b -> b.limits = b.limits.withLoginFailureDelay(FIRST_DELAY, Duration.ofSeconds(15)));
        // Five failures from 127.0.0.1, over three ways in: answered without delay.
        try (ImapTestClient imap = ImapTestClient.imaps(fx.relay)) {
            assertThat(imap.line()).startsWith("* OK ");
            assertThat(imap.command("a", login(fx.user, "wrong-one"))).containsExactly("a " + IMAP_FAILED);
            assertThat(imap.command("b", login(fx.user, "wrong-two"))).containsExactly("b " + IMAP_FAILED);
        }
        try (SmtpClient smtp = SmtpClient.ready(fx.relay.port("submissions"), true)) {
            assertThat(smtp.authPlain(fx.user, "wrong-three").line()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain(fx.user, "wrong-four").line()).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapTestClient via443 = ImapTestClient.via443(fx.relay)) {
            assertThat(via443.line()).startsWith("* OK ");
            assertThat(via443.command("c", login(fx.user, "wrong-five"))).containsExactly("c " + IMAP_FAILED);
        }

        try (ImapTestClient guesser = ImapTestClient.imaps(fx.relay);
                ImapTestClient owner = ImapTestClient.imaps(fx.relay)) {
            assertThat(guesser.line()).startsWith("* OK ");
            assertThat(owner.line()).startsWith("* OK ");
            long sent = System.nanoTime();
            guesser.send("d " + login(fx.user, "wrong-six") + "\r\n");
            CompletableFuture<String> sixth = CompletableFuture.supplyAsync(() -> {
                try {
                    return guesser.line();
                } catch (IOException e) {
                    return e.toString();
                }
            });
            // The owner, from the same address, over IMAP and SMTP: logged in while the guess waits.
            assertThat(owner.command("e", login(fx.user, ImapFixture.PASSWORD)).getLast()).startsWith("e OK ");
            try (SmtpClient smtp = SmtpClient.ready(fx.relay.port("submissions"), true)) {
                assertThat(smtp.authPlain(fx.user, ImapFixture.PASSWORD).line()).startsWith("235 ");
            }
            assertThat(sixth).as("the sixth wrong password is still waiting for its answer").isNotDone();

            assertThat(sixth.get(30, TimeUnit.SECONDS)).isEqualTo("d " + IMAP_FAILED);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(FIRST_DELAY);
            // Not a lockout: the same connection may go on, and a right password works there too.
            assertThat(guesser.command("f", login(fx.user, ImapFixture.PASSWORD)).getLast()).startsWith("f OK ");
        }
    }
}
