package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SMTP-2 with the exact reply lines of the REPLY table. */
class SenderPolicyTest {

    private static final String ALICE = "alice1234@relay.example";

    @Test
    void envelopeSenderMustBeTheLogin() {
        assertThat(SenderPolicy.checkEnvelopeSender(ALICE, ALICE).accepted()).isTrue();
        assertThat(SenderPolicy.checkEnvelopeSender(ALICE, "Alice1234@Relay.Example").accepted()).isTrue();
        for (String other : new String[] {"bob123456@relay.example", "alice1234@other.example", "", "alice1234"}) {
            assertThat(SenderPolicy.checkEnvelopeSender(ALICE, other).rejection())
                    .hasValueSatisfying(r -> assertThat(r.line()).isEqualTo("553 5.7.1 Sender address not owned by user"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "alice1234@relay.example",
            "<alice1234@relay.example>",
            "Alice <alice1234@relay.example>",
            "\"Alice, the sender\" <alice1234@relay.example>",
            "=?utf-8?q?J=C3=B6rg_=3Cbob123456=40relay=2Eexample=3E?= <alice1234@relay.example>",
            "alice1234@relay.example (Alice in a comment)",
            "ALICE1234@RELAY.EXAMPLE",
            "Alice\r\n <alice1234@relay.example>",
            "team: alice1234@relay.example;"
    })
    void fromHeaderMatchingTheSenderPasses(String from) {
        assertThat(SenderPolicy.checkFromHeader(ALICE, List.of(from.replace("\r\n", "")))).isEqualTo(Verdict.accept());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "bob123456@relay.example",
            "Alice <bob123456@relay.example>",
            "\"alice1234@relay.example\" <bob123456@relay.example>",
            "alice1234@relay.example, bob123456@relay.example",
            "alice1234@relay.example <bob123456@relay.example>",
            "undisclosed-recipients:;",
            "",
            "not an address",
            "alice1234@relay.example.evil",
            "=?utf-8?B?!!!?= <alice1234@relay.example>"
    })
    void fromHeaderNotMatchingIsRefusedWith550(String from) {
        assertThat(SenderPolicy.checkFromHeader(ALICE, List.of(from)).rejection())
                .hasValueSatisfying(r -> assertThat(r.line()).isEqualTo("550 5.7.1 From header does not match sender"));
    }

    @Test
    void twoFromFieldsAreAMismatchAndNoneIsToo() {
        byte[] two = ("From: <" + ALICE + ">\r\nFrom: <" + ALICE + ">\r\n\r\nx").getBytes(StandardCharsets.US_ASCII);
        assertThat(SenderPolicy.checkFromHeader(ALICE, two).accepted()).isFalse();
        byte[] none = "To: <x@y>\r\n\r\nx".getBytes(StandardCharsets.US_ASCII);
        assertThat(SenderPolicy.checkFromHeader(ALICE, none).accepted()).isFalse();
    }

    @Test
    void fromHeaderIsReadFromTheRawMessageIncludingFolding() {
        assertThat(SenderPolicy.checkFromHeader(ALICE, TestMessages.encrypted(ALICE, "bob@other.example")).accepted()).isTrue();
        byte[] folded = ("Subject: x\r\nFrom: Alice\r\n <" + ALICE + ">\r\n\r\nbody").getBytes(StandardCharsets.US_ASCII);
        assertThat(SenderPolicy.checkFromHeader(ALICE, folded).accepted()).isTrue();
        assertThat(SenderPolicy.checkFromHeader("bob123456@relay.example", folded).rejection()).contains(Replies.FROM_MISMATCH);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "alice@[192.0.2.1]|alice@[192.0.2.1]|true",
            "<alice@[192.0.2.1]>|alice@[192.0.2.1]|true",
            "alice@[192.0.2.1]|alice@[192.0.2.2]|false",
            "\"al ice\"@relay.example|\"al ice\"@relay.example|true"
    })
    void ipLiteralAndQuotedAddresses(String from, String envelope, boolean matches) {
        assertThat(SenderPolicy.fromHeaderMatches(envelope, List.of(from))).isEqualTo(matches);
    }
}
