package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.TestMessages;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SMTP-6 and SMTP-10 header edits, compared byte for byte. */
class HeaderCleanupTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void outgoingRemovesTraceAndClientHeadersAndHidesSubject() {
        String in = "Received: from [192.0.2.7] (helo=laptop)\r\n"
                + "\tby relay.example with ESMTPSA id 42\r\n"
                + "\tfor <bob@other.example>; Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "From: <alice@relay.example>\r\n"
                + "X-Originating-IP: [192.0.2.7]\r\n"
                + "To: <bob@other.example>\r\n"
                + "Subject: secret plans\r\n"
                + "  continued on a folded line\r\n"
                + "x-mailer: Mutt 2.2\r\n"
                + "User-Agent: Delta Chat\r\n"
                + "Received: by laptop\r\n"
                + "Date: Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "\r\n"
                + "Received: this line is in the body and stays\r\n"
                + "Subject: so does this\r\n";
        String expected = "From: <alice@relay.example>\r\n"
                + "To: <bob@other.example>\r\n"
                + "Subject: [...]\r\n"
                + "Date: Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "\r\n"
                + "Received: this line is in the body and stays\r\n"
                + "Subject: so does this\r\n";
        assertThat(s(HeaderCleanup.outgoing(b(in)))).isEqualTo(expected);
        assertThat(s(HeaderCleanup.outgoing(b(in)))).doesNotContain("192.0.2.7");
    }

    @Test
    void outgoingKeepsOneSubjectAndAddsNoneWhenAbsent() {
        assertThat(s(HeaderCleanup.outgoing(b("Subject: one\r\nSubject: two\r\nTo: x\r\n\r\nbody"))))
                .isEqualTo("Subject: [...]\r\nTo: x\r\n\r\nbody");
        assertThat(s(HeaderCleanup.outgoing(b("To: x\r\nFrom: y\r\n\r\nbody"))))
                .isEqualTo("To: x\r\nFrom: y\r\n\r\nbody");
    }

    @Test
    void outgoingKeepsLineEndingStyleAndHeadersThatOnlyStartWithARemovedName() {
        String in = "Subject: hi\nX-Mailer-Extra: keep\nReceived-SPF: pass\nUser-Agents: keep\nTo: x\n\nbody\n";
        assertThat(s(HeaderCleanup.outgoing(b(in))))
                .isEqualTo("Subject: [...]\nX-Mailer-Extra: keep\nReceived-SPF: pass\nUser-Agents: keep\nTo: x\n\nbody\n");
    }

    @Test
    void outgoingOnEncryptedMessageKeepsBodyByteExact() {
        byte[] msg = TestMessages.encrypted("alice1234@relay.example", "bob@other.example");
        byte[] withTrace = concat(b("Received: from [2001:db8::1]\r\nUser-Agent: test\r\n"), msg);
        byte[] cleaned = HeaderCleanup.outgoing(withTrace);
        int bodyStart = s(msg).indexOf("\r\n\r\n");
        assertThat(s(cleaned)).endsWith(s(msg).substring(bodyStart));
        // The fixture already carries "Subject: [...]", so nothing else changes.
        assertThat(cleaned).isEqualTo(msg);
    }

    @Test
    void incomingStripsDkimAuthResultsAndReceivedOnly() {
        String in = "DKIM-Signature: v=1; a=rsa-sha256; d=other.example; s=opendkim;\r\n"
                + "\th=from:to; bh=abc=; b=def\r\n"
                + "Authentication-Results: relay.example; dkim=pass\r\n"
                + "Received: from mx.other.example\r\n"
                + "Subject: [...]\r\n"
                + "X-Mailer: kept incoming\r\n"
                + "From: <bob@other.example>\r\n"
                + "\r\n"
                + "DKIM-Signature: body text\r\n";
        assertThat(s(HeaderCleanup.incoming(b(in)))).isEqualTo("Subject: [...]\r\n"
                + "X-Mailer: kept incoming\r\n"
                + "From: <bob@other.example>\r\n"
                + "\r\n"
                + "DKIM-Signature: body text\r\n");
    }

    @Test
    void messageWithoutBodySeparatorAndOddLinesSurvives() {
        assertThat(s(HeaderCleanup.outgoing(b("To: x\r\nnot a header line\r\nReceived: y")))).isEqualTo("To: x\r\nnot a header line\r\n");
        assertThat(s(HeaderCleanup.outgoing(b("Subject: last")))).isEqualTo("Subject: [...]");
        assertThat(HeaderCleanup.outgoing(new byte[0])).isEmpty();
    }

    @Test
    void eightBitHeaderBytesAreCopiedUnchanged() {
        byte[] in = b("From: \"Jörg\" <j@x>\r\nReceived: x\r\n\r\nGrüße\r\n");
        assertThat(HeaderCleanup.outgoing(in)).isEqualTo(b("From: \"Jörg\" <j@x>\r\n\r\nGrüße\r\n"));
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, r, a.length, c.length);
        return r;
    }
}
