package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC ACC-1, ACC-2 through the relay: first logins arriving by SMTP AUTH on port 465 and
 * directly (standing in for IMAP, which does not exist yet) at the same moment.
 */
class FirstLoginOverSmtpTest {

    @TempDir
    Path dir;

    @Test
    void tenConcurrentFirstLoginsBySmtpAndDirectlyLeaveOneAccount() throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            SmtpsLogin smtp = new SmtpsLogin(relay.relay().tls().currentCertificate(), relay.port("submissions"));
            String address = TestRelay.address("mixedrace");
            Accounts accounts = relay.relay().accounts();

            List<Boolean> ok = AccountsTest.concurrently(10, i -> i < 4
                    ? smtp.authPlain(address, "same-password").startsWith("235 ")
                    : accounts.login(address, "same-password").isPresent());

            assertThat(ok).containsOnly(true);
            assertThat(relay.relay().store().accountCount()).isEqualTo(1);
            assertThat(smtp.authPlain(address, "same-password")).startsWith("235 ");
        }
    }

    @Test
    void aRefusedFirstLoginLooksLikeAWrongPassword() throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            SmtpsLogin smtp = new SmtpsLogin(relay.relay().tls().currentCertificate(), relay.port("submissions"));
            String existing = TestRelay.address("existing1");
            assertThat(smtp.authPlain(existing, "password-1")).startsWith("235 ");

            String wrongPassword = smtp.authPlain(existing, "password-2");
            String tooShortName = smtp.authPlain("abcdefgh@" + TestRelay.DOMAIN, "password-1");
            String tooShortPassword = smtp.authPlain(TestRelay.address("newcomer1"), "12345678");

            assertThat(wrongPassword).startsWith("535 ");
            assertThat(tooShortName).isEqualTo(wrongPassword);
            assertThat(tooShortPassword).isEqualTo(wrongPassword);
            assertThat(relay.relay().store().accountCount()).isEqualTo(1);
        }
    }
}
