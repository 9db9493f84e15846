package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class WireEncodingTest {

    @Test
    void deflating_with_a_fresh_compressor_per_flush_is_one_continuous_stream() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FlushDeflatingOutputStream out = new FlushDeflatingOutputStream(wire);
        Inflater inflater = new Inflater(true);
        StringBuilder received = new StringBuilder();
        String[] commands = {"a4 SELECT INBOX\r\n", "a5 IDLE\r\n", "DONE\r\n", "a6 NOOP\r\n".repeat(500)};
        int consumed = 0;
        for (String command : commands) {
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] all = wire.toByteArray();
            // The server's single Inflater sees only what was sent so far, and must yield it all.
            inflater.setInput(all, consumed, all.length - consumed);
            consumed = all.length;
            byte[] buf = new byte[65536];
            int n;
            while ((n = inflater.inflate(buf)) > 0) {
                received.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            assertThat(received.toString()).endsWith(command);
        }
        assertThat(received.toString()).isEqualTo(String.join("", commands));
    }

    @Test
    void dot_stuffing_round_trips() {
        byte[] content = ".starts with a dot\r\nmiddle\r\n..two\r\n.\r\nend\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] stuffed = DotStuffing.stuff(content);

        assertThat(new String(stuffed, StandardCharsets.US_ASCII))
                .isEqualTo("..starts with a dot\r\nmiddle\r\n...two\r\n..\r\nend\r\n");
        assertThat(DotStuffing.unstuff(stuffed)).isEqualTo(content);
    }

    @Test
    void smtp_reply_lines_carry_code_and_continuation() {
        assertThat(SmtpReplyLine.parse("250-PIPELINING").last()).isFalse();
        assertThat(SmtpReplyLine.parse("250 2.0.0 Ok: queued as 1234")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(250);
            assertThat(r.last()).isTrue();
            assertThat(r.text()).isEqualTo("2.0.0 Ok: queued as 1234");
        });
        assertThat(SmtpReplyLine.parse("354").last()).isTrue();
        assertThat(SmtpReplyLine.parse("523 5.7.10 Encryption Needed").positive()).isFalse();
    }
}
