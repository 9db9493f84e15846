package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COMPRESS=DEFLATE (RFC 4978, IMAP-3): a real round trip with a java.util.zip raw-deflate client,
 * including an IDLE during which the server ends and remakes its Deflater.
 */
class ImapCompressTest {
    static final String WITH_COMPRESS = ImapLoginTest.AFTER_LOGIN + " COMPRESS=DEFLATE";

    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void offeredOnlyWhenConfigured() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "CAPABILITY")).containsExactly("* CAPABILITY " + ImapLoginTest.AFTER_LOGIN,
                    "a OK Capability completed.");
            assertThat(c.command("b", "COMPRESS DEFLATE")).containsExactly("b BAD COMPRESS is not enabled on this server.");
        }
    }

    @Test
    void compressedSessionRoundTrip() throws Exception {
        fx = ImapFixture.start(dir, b -> b.imapCompress = true);
        byte[] m = ImapFixture.message(1);
        fx.deliver(m);
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "CAPABILITY")).containsExactly("* CAPABILITY " + WITH_COMPRESS, "a OK Capability completed.");
            assertThat(c.command("b", "COMPRESS DEFLATE")).containsExactly("b OK DEFLATE active");
            c.compress();
            assertThat(c.command("c", "CAPABILITY")).containsExactly(
                    "* CAPABILITY " + ImapLoginTest.AFTER_LOGIN, "c OK Capability completed.");
            c.ok("SELECT INBOX");
            List<String> body = c.command("d", "UID FETCH 1 (BODY.PEEK[])");
            assertThat(body).containsExactly("* 1 FETCH (UID 1 BODY[] " + ImapFetchTest.lit(new String(m, StandardCharsets.UTF_8)) + ")",
                    "d OK Fetch completed.");
            // IDLE: the notification is compressed by a fresh Deflater and still inflates on our side.
            c.send("i IDLE\r\n");
            assertThat(c.line()).isEqualTo("+ idling");
            fx.deliver(ImapFixture.message(2));
            String line = c.line();
            while (line.equals("* OK Still here")) {
                line = c.line();
            }
            assertThat(line).isEqualTo("* 2 EXISTS");
            c.send("DONE\r\n");
            assertThat(c.line()).isEqualTo("i OK Idle completed.");
            assertThat(c.command("e", "COMPRESS DEFLATE")).containsExactly("e NO [COMPRESSIONACTIVE] Compression is already active.");
            assertThat(c.command("f", "UID FETCH 2 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")).containsExactly(
                    "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (MESSAGE-ID)] " + ImapFetchTest.lit("Message-ID: <msg2@example.org>\r\n\r\n") + ")",
                    "f OK Fetch completed.");
            assertThat(c.command("g", "LOGOUT")).containsExactly("* BYE Logging out", "g OK Logout completed.");
        }
    }
}
