package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.MailStore;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMTP-13, the part visible from here: after the 250 the message is in the store on disk. */
class AcknowledgedDeliveryTest {

    @Test
    void messageAcknowledgedWith250IsReadableFromAFreshStoreAfterClose(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock();
        String alice;
        String bob;
        byte[] message;
        try (TestRelay relay = TestRelay.start(dir, clock, b -> { })) {
            alice = SmtpFixtures.account(relay);
            bob = SmtpFixtures.account(relay);
            message = SmtpFixtures.encrypted(alice, bob, 40_000);
            try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
                c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                assertThat(c.sendMail(alice, bob, message).line()).isEqualTo("250 2.0.0 Ok");
                // No QUIT: the relay closes with the client still connected.
                relay.close();
            }
        }
        try (MailStore fresh = SqliteMailStore.open(dir, clock)) {
            List<byte[]> inbox = StoredMail.inbox(fresh, bob);
            assertThat(inbox).hasSize(1);
            assertThat(inbox.getFirst()).isEqualTo(message);
        }
    }
}
