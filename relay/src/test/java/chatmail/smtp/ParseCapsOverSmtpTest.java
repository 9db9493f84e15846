package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.mime.HeaderSection;
import chatmail.testing.Counters;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * SEC-4 over SMTP: a message beyond a parse cap (header fields, header bytes, MIME nesting) gets
 * {@code 552 5.3.4} with the cap in words, on submission and on port 25 alike, and nothing is
 * stored; a message right at the cap is parsed and judged as any other.
 */
class ParseCapsOverSmtpTest extends WithSharedRelay {

    static final int MAX_FIELDS = 1000;
    static final int MAX_HEADER_BYTES = 1 << 20;
    static final int MAX_DEPTH = 32;

    /** The message with filler fields on top, so that its header has exactly {@code fields} fields. */
    static byte[] withFields(byte[] message, int fields) {
        int present = HeaderSection.parse(message).fields().size();
        StringBuilder filler = new StringBuilder();
        for (int i = present; i < fields; i++) {
            filler.append("X-Filler-").append(i).append(": x\r\n");
        }
        return concat(filler.toString().getBytes(StandardCharsets.US_ASCII), message);
    }

    /** The message with one folded field that makes its header section {@code bytes} long or a little longer. */
    static byte[] withHeaderBytes(byte[] message, int bytes) {
        int present = HeaderSection.parse(message).end();
        StringBuilder big = new StringBuilder("X-Big: ");
        while (big.length() + present < bytes) {
            big.append("a".repeat(70)).append("\r\n ");
        }
        big.append("end\r\n");
        return concat(big.toString().getBytes(StandardCharsets.US_ASCII), message);
    }

    /** A cleartext message whose deepest entity is at {@code depth} (nested multiparts). */
    static byte[] nested(String from, String to, int depth) {
        StringBuilder m = new StringBuilder("From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
        for (int i = 0; i < depth; i++) {
            m.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
        }
        m.append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (int i = depth - 1; i >= 0; i--) {
            m.append("--b").append(i).append("--\r\n");
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static ServerReply submit(String from, String to, byte[] message) throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(from, SmtpFixtures.PASSWORD), 235);
            return c.sendMail(from, to, message);
        }
    }

    private static ServerReply receive(String to, byte[] message) throws Exception {
        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            return c.sendMail("carol@other.example", to, message);
        }
    }

    private static double tooLarge() {
        return Counters.refused(relay.relay().metrics(), "too_large");
    }

    @Test
    void headerFieldCount() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        double before = tooLarge();

        assertThat(submit(alice, bob, withFields(SmtpFixtures.encrypted(alice, bob), MAX_FIELDS + 1)).line())
                .isEqualTo("552 5.3.4 Message header too large (more than 1000 fields)");
        assertThat(receive(bob, withFields(SmtpFixtures.encrypted("carol@other.example", bob), MAX_FIELDS + 1)).line())
                .isEqualTo("552 5.3.4 Message header too large (more than 1000 fields)");
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
        assertThat(tooLarge() - before).as("each refusal counted once").isEqualTo(2);

        // Exactly at the cap the message is an ordinary one.
        double delivered = Counters.delivered(relay.relay().metrics(), "submission");
        assertThat(submit(alice, bob, withFields(SmtpFixtures.encrypted(alice, bob), MAX_FIELDS)).line())
                .isEqualTo("250 2.0.0 Ok");
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
        assertThat(Counters.delivered(relay.relay().metrics(), "submission") - delivered).isEqualTo(1);
    }

    @Test
    void headerSectionSize() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);

        assertThat(submit(alice, bob, withHeaderBytes(SmtpFixtures.encrypted(alice, bob), MAX_HEADER_BYTES + 100)).line())
                .isEqualTo("552 5.3.4 Message header too large (more than 1048576 bytes)");
        assertThat(receive(bob, withHeaderBytes(SmtpFixtures.encrypted("carol@other.example", bob), MAX_HEADER_BYTES + 100)).line())
                .isEqualTo("552 5.3.4 Message header too large (more than 1048576 bytes)");
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();

        byte[] justBelow = withHeaderBytes(SmtpFixtures.encrypted(alice, bob), MAX_HEADER_BYTES - 200);
        assertThat(HeaderSection.parse(justBelow).end()).isLessThanOrEqualTo(MAX_HEADER_BYTES);
        assertThat(submit(alice, bob, justBelow).line()).isEqualTo("250 2.0.0 Ok");
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
    }

    @Test
    void mimeNesting() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);

        assertThat(submit(alice, bob, nested(alice, bob, MAX_DEPTH + 1)).line())
                .isEqualTo("552 5.3.4 MIME nesting too deep (more than 32 levels)");
        assertThat(receive(bob, nested("carol@other.example", bob, MAX_DEPTH + 1)).line())
                .isEqualTo("552 5.3.4 MIME nesting too deep (more than 32 levels)");
        // At the cap it is parsed, and refused for what it is: not encrypted.
        double notEncrypted = Counters.refused(relay.relay().metrics(), "not_encrypted");
        assertThat(submit(alice, bob, nested(alice, bob, MAX_DEPTH)).line())
                .isEqualTo("523 5.7.10 Encryption Needed: Invalid Unencrypted Mail");
        assertThat(Counters.refused(relay.relay().metrics(), "not_encrypted") - notEncrypted).isEqualTo(1);
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
    }
}
