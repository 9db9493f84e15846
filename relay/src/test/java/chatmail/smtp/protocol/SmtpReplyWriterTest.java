package chatmail.smtp.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmtpReplyWriterTest {

    /** Counts write and flush calls, as a socket with TCP_NODELAY would send a packet each. */
    private static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int writes;
        int flushes;

        @Override
        public void write(int b) {
            writes++;
            data.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes++;
            data.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        String text() {
            return data.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void singleLineWithEnhancedCode() {
        assertThat(SmtpReplies.OK.toWire()).isEqualTo("250 2.0.0 Ok\r\n");
        assertThat(SmtpReplies.BARE_LINE_ENDING.toWire()).isEqualTo("521 5.5.2 Bare <LF> or <CR> received\r\n");
        assertThat(SmtpReplies.TOO_LARGE.withDetail("(limit 31457280)").toWire())
                .isEqualTo("552 5.3.4 Message exceeds maximum size (limit 31457280)\r\n");
        assertThat(SmtpReplies.rateLimited("a@b.c").toWire()).isEqualTo("450 4.7.1 Too much mail from <a@b.c>\r\n");
    }

    @Test
    void multiLineEhloWithoutEnhancedCode() {
        SmtpReply ehlo = SmtpReply.multiline(250, null,
                List.of("relay.example", "PIPELINING", "SIZE 31457280", "ENHANCEDSTATUSCODES"));
        assertThat(ehlo.toWire()).isEqualTo(
                "250-relay.example\r\n250-PIPELINING\r\n250-SIZE 31457280\r\n250 ENHANCEDSTATUSCODES\r\n");
    }

    @Test
    void multiLineWithEnhancedCodeOnEveryLine() {
        SmtpReply help = SmtpReply.multiline(214, "2.0.0", List.of("Commands:", "EHLO MAIL RCPT DATA"));
        assertThat(help.toWire()).isEqualTo("214-2.0.0 Commands:\r\n214 2.0.0 EHLO MAIL RCPT DATA\r\n");
    }

    @Test
    void rejectsInjectedLineBreaksAndMismatchedCodes() {
        assertThatThrownBy(() -> SmtpReply.of(250, "2.0.0", "Ok\r\n250 forged"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmtpReply.of(550, "2.0.0", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmtpReply.of(99, null, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pipelinedBurstGoesOutInOneWrite() throws IOException {
        CountingStream out = new CountingStream();
        SmtpReplyWriter w = new SmtpReplyWriter(out);
        w.send(SmtpReplies.OK);
        w.send(SmtpReplies.OK);
        w.send(SmtpReplies.OK);
        w.send(SmtpReply.plain(354, "End data with <CR><LF>.<CR><LF>"));
        assertThat(out.writes).isZero();
        assertThat(w.pendingBytes()).isPositive();
        w.flush();
        assertThat(out.writes).isEqualTo(1);
        assertThat(out.flushes).isEqualTo(1);
        assertThat(out.text()).isEqualTo("250 2.0.0 Ok\r\n".repeat(3) + "354 End data with <CR><LF>.<CR><LF>\r\n");
        w.flush();
        assertThat(out.writes).isEqualTo(1);
    }

    @Test
    void multiLineReplyIsOneWrite() throws IOException {
        CountingStream out = new CountingStream();
        SmtpReplyWriter w = new SmtpReplyWriter(out);
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add("EXTENSION-" + i);
        }
        w.sendNow(SmtpReply.multiline(250, null, lines));
        assertThat(out.writes).isEqualTo(1);
        assertThat(out.text()).startsWith("250-EXTENSION-0\r\n").endsWith("250 EXTENSION-199\r\n");
    }

    @Test
    void switchToRequiresFlushedReplies() throws IOException {
        CountingStream plain = new CountingStream();
        CountingStream tls = new CountingStream();
        SmtpReplyWriter w = new SmtpReplyWriter(plain);
        w.send(SmtpReply.of(220, "2.0.0", "Ready to start TLS"));
        assertThatThrownBy(() -> w.switchTo(tls)).isInstanceOf(IllegalStateException.class);
        w.flush();
        w.switchTo(tls);
        w.sendNow(SmtpReplies.OK);
        assertThat(plain.text()).isEqualTo("220 2.0.0 Ready to start TLS\r\n");
        assertThat(tls.text()).isEqualTo("250 2.0.0 Ok\r\n");
    }
}
