package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SMTP-1: a pipelined burst gets its replies in order, in one write. */
class PipeliningTest extends WithSharedRelay {

    @Test
    void mailRcptRcptDataInOneWriteGetFourRepliesInOneRecord() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        String carol = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);

            int readsBefore = c.reads();
            c.write("MAIL FROM:<" + alice + ">\r\nRCPT TO:<" + bob + ">\r\nRCPT TO:<" + carol + ">\r\nDATA\r\n");
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replies.add(c.readReply().line());
            }
            assertThat(replies).containsExactly("250 2.0.0 Ok", "250 2.0.0 Ok", "250 2.0.0 Ok",
                    "354 End data with <CR><LF>.<CR><LF>");
            // One server write is one TLS record, which the client reads in one go.
            assertThat(c.reads() - readsBefore).as("reads for the four replies").isEqualTo(1);

            // The message, the end of data and QUIT in one write: both replies in one record too.
            readsBefore = c.reads();
            byte[] body = SmtpClient.dotStuffed(SmtpFixtures.encrypted(alice, bob));
            byte[] quit = "QUIT\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] burst = new byte[body.length + quit.length];
            System.arraycopy(body, 0, burst, 0, body.length);
            System.arraycopy(quit, 0, burst, body.length, quit.length);
            c.write(burst);
            assertThat(c.readReply().line()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.readReply().line()).startsWith("221 2.0.0");
            assertThat(c.reads() - readsBefore).isEqualTo(1);
            assertThat(c.awaitClosed()).isEmpty();
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
        assertThat(StoredMail.inbox(relay, carol)).hasSize(1);
    }

    @Test
    void multiLineEhloReplyArrivesInOneRead() throws Exception {
        try (SmtpClient c = SmtpClient.connectTls(relay.port("submissions"))) {
            c.readReply();
            int before = c.reads();
            assertThat(c.ehlo().lines()).hasSizeGreaterThan(5);
            assertThat(c.reads() - before).isEqualTo(1);
        }
    }

    @Test
    void aRejectedCommandInsideABurstDoesNotDisturbTheOthers() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.write("MAIL FROM:<" + alice + ">\r\nRCPT TO:<bad address>\r\nBOGUS\r\nRCPT TO:<" + bob
                    + ">\r\nDATA\r\n");
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(c.readReply().line());
            }
            assertThat(replies).hasSize(5);
            assertThat(replies.get(0)).isEqualTo("250 2.0.0 Ok");
            assertThat(replies.get(1)).startsWith("501 5.5.4");
            assertThat(replies.get(2)).startsWith("500 5.5.2");
            assertThat(replies.get(3)).isEqualTo("250 2.0.0 Ok");
            assertThat(replies.get(4)).startsWith("354 ");
            c.write(SmtpClient.dotStuffed(SmtpFixtures.encrypted(alice, bob)));
            assertThat(c.readReply().line()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(StoredMail.inbox(relay, bob)).hasSize(1);
    }
}
