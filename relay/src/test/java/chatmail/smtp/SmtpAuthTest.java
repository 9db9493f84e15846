package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SMTP-1 AUTH mechanisms and ACC-1/ACC-2 through SMTP. */
class SmtpAuthTest extends WithSharedRelay {

    private static Optional<Account> stored(String address) {
        return relay.relay().store().findAccount(address);
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"submission", "submissions"})
    void plainWithInitialResponseCreatesTheAccountAndAuthenticates(String service) throws Exception {
        String fresh = SmtpFixtures.newAddress();
        assertThat(stored(fresh)).isEmpty();
        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            assertThat(c.authPlain(fresh, SmtpFixtures.PASSWORD).line()).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.command("MAIL FROM:<" + fresh + ">").line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.command("AUTH PLAIN " + SmtpClient.plainResponse(fresh, SmtpFixtures.PASSWORD)).code())
                    .isEqualTo(503);
        }
        Account created = stored(fresh).orElseThrow();
        assertThat(created.passwordHash()).startsWith("{SHA512-CRYPT}$6$").doesNotContain(SmtpFixtures.PASSWORD);
    }

    @Test
    void plainWithoutInitialResponseGetsAnEmptyChallenge() throws Exception {
        String fresh = SmtpFixtures.newAddress();
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            ServerReply challenge = c.command("AUTH PLAIN");
            assertThat(challenge.lines()).containsExactly("334 ");
            assertThat(c.command(SmtpClient.plainResponse(fresh, SmtpFixtures.PASSWORD)).line())
                    .isEqualTo("235 2.7.0 Authentication successful");
        }
        assertThat(stored(fresh)).isPresent();
    }

    @Test
    void loginMechanismPromptsForUsernameThenPassword() throws Exception {
        String fresh = SmtpFixtures.newAddress();
        try (SmtpClient c = SmtpClient.ready(relay.port("submission"), false)) {
            assertThat(c.command("AUTH LOGIN").line()).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(c.command(SmtpClient.base64(fresh)).line()).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.command(SmtpClient.base64(SmtpFixtures.PASSWORD)).line())
                    .isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.command("MAIL FROM:<" + fresh + ">").line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(stored(fresh)).isPresent();
        // LOGIN with the username as initial response, for an existing account.
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            assertThat(c.command("AUTH LOGIN " + SmtpClient.base64(fresh)).line()).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.command(SmtpClient.base64(SmtpFixtures.PASSWORD)).line())
                    .isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void wrongPasswordForAnExistingAccountFailsAndKeepsTheHash() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String hash = stored(alice).orElseThrow().passwordHash();
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            assertThat(c.authPlain(alice, "another-password-1").line()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
            c.command(SmtpClient.base64(alice));
            assertThat(c.command(SmtpClient.base64("another-password-2")).line())
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
            // The right one still works afterwards, on the same connection.
            assertThat(c.authPlain(alice, SmtpFixtures.PASSWORD).line()).isEqualTo("235 2.7.0 Authentication successful");
        }
        assertThat(stored(alice).orElseThrow().passwordHash()).isEqualTo(hash);
    }

    @Test
    void cancelledAndUndecodableResponsesFailCleanly() throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.command("AUTH PLAIN");
            assertThat(c.command("*").line()).startsWith("501 5.7.0");
            assertThat(c.command("AUTH PLAIN !!!notbase64").line()).startsWith("501 5.5.2");
            assertThat(c.command("AUTH CRAM-MD5").line()).startsWith("504 5.5.4");
            // Still able to authenticate.
            assertThat(c.authPlain(SmtpFixtures.account(relay), SmtpFixtures.PASSWORD).code()).isEqualTo(235);
        }
    }

    @Test
    void authorizationIdentityOtherThanTheLoginIsRefused() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            String response = SmtpClient.base64(bob + "\0" + alice + "\0" + SmtpFixtures.PASSWORD);
            assertThat(c.command("AUTH PLAIN " + response).line()).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
    }
}
