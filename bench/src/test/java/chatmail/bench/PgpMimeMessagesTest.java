package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.EncryptionClassifier;
import chatmail.policy.MessageKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgpMimeMessagesTest {
    private static final PgpMimeMessages MESSAGES = new PgpMimeMessages();

    @ParameterizedTest
    @ValueSource(ints = {4096, 200 * 1024})
    void bench_messages_have_the_requested_size_and_pass_the_relays_encryption_check(int size) {
        PgpMimeMessages.Template t = MESSAGES.template(size);
        byte[] message = t.message("b00000001@bench.localhost", "b00000002@bench.localhost", "bench.1.1@bench.localhost");

        assertThat(message.length).isBetween(size - 128, size + 128);
        assertThat(new EncryptionClassifier().classify(message)).isEqualTo(MessageKind.ENCRYPTED);
        String text = new String(message, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("From: <b00000001@bench.localhost>\r\nTo: <b00000002@bench.localhost>\r\n")
                .contains("\r\nAutocrypt: addr=").contains("-----BEGIN PGP MESSAGE-----\r\n\r\n")
                .doesNotContain("\nVersion: BC").doesNotContain("\r\r").doesNotContain("\n\n");
        assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 200 * 1024})
    void the_wire_form_is_dot_stuffed_and_ends_with_a_line_break(int size) {
        byte[] tail = MESSAGES.template(size).tail();
        String wire = new String(tail, StandardCharsets.US_ASCII);

        assertThat(wire).endsWith("--\r\n");
        assertThat(wire).doesNotContain("\r\n.\r\n");
        for (String line : wire.split("\r\n")) {
            if (line.startsWith(".")) {
                assertThat(line).startsWith("..");
            }
        }
    }
}
