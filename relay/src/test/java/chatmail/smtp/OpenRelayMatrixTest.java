package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SMTP-7: no open relay. Every port, with and without AUTH, to a local and to a foreign
 * recipient: the reply at the step where the transaction stops, and what got stored.
 * An authenticated foreign recipient is accepted into the outbound queue. Port 25 mail comes from
 * an IP-literal sender, whose origin SMTP-8 does not check (no DKIM for address literals).
 */
class OpenRelayMatrixTest extends WithSharedRelay {

    static final String FOREIGN = "dave@other.example";
    static final String REMOTE_SENDER = "carol@[192.0.2.1]";

    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of("smtp", false, true, "250 2.0.0 Ok"),
                Arguments.of("smtp", false, false, "554 5.7.1 Relay access denied"),
                Arguments.of("smtp", true, true, "250 2.0.0 Ok"),
                Arguments.of("smtp", true, false, "554 5.7.1 Relay access denied"),
                Arguments.of("submission", false, true, "530 5.7.0 Authentication required"),
                Arguments.of("submission", false, false, "530 5.7.0 Authentication required"),
                Arguments.of("submission", true, true, "250 2.0.0 Ok"),
                Arguments.of("submission", true, false, "250 2.0.0 Ok"),
                Arguments.of("submissions", false, true, "530 5.7.0 Authentication required"),
                Arguments.of("submissions", false, false, "530 5.7.0 Authentication required"),
                Arguments.of("submissions", true, true, "250 2.0.0 Ok"),
                Arguments.of("submissions", true, false, "250 2.0.0 Ok"));
    }

    @ParameterizedTest(name = "{0}, AUTH {1}, local recipient {2} -> {3}")
    @MethodSource("matrix")
    void relayDecision(String service, boolean authenticate, boolean localRecipient, String expected) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        String recipient = localRecipient ? bob : FOREIGN;
        String sender = service.equals("smtp") ? REMOTE_SENDER : alice;
        int before = StoredMail.count(relay);
        long queuedBefore = relay.relay().outbound().queued();
        ServerReply last;
        try (SmtpClient c = SmtpClient.ready(relay.port(service), service.equals("submissions"))) {
            if (authenticate) {
                ServerReply auth = c.authPlain(alice, SmtpFixtures.PASSWORD);
                assertThat(auth.line()).startsWith(service.equals("smtp")
                        ? "503 5.5.1 AUTH not available on this port" : "235 2.7.0");
            }
            last = c.command("MAIL FROM:<" + sender + ">");
            if (last.positive()) {
                last = c.command("RCPT TO:<" + recipient + ">");
            }
            if (last.positive()) {
                last = c.data(SmtpFixtures.encrypted(sender, recipient));
            }
        }
        assertThat(last.line()).startsWith(expected);
        boolean accepted = expected.startsWith("250");
        boolean delivered = accepted && localRecipient;
        assertThat(StoredMail.count(relay) - before).isEqualTo(delivered ? 1 : 0);
        assertThat(StoredMail.inbox(relay, bob)).hasSize(delivered ? 1 : 0);
        // Mail for other domains is queued, never stored locally; nothing else reaches the queue.
        assertThat(relay.relay().outbound().queued() - queuedBefore).isEqualTo(accepted && !localRecipient ? 1 : 0);
    }
}
