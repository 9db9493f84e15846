package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.StoredMail;
import chatmail.testing.Counters;
import chatmail.testing.TestRelay;
import chatmail.web.WebClients.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /mxdeliv} under SEC-1 and SEC-4: the recipients and the announced length decide
 * before a byte of the body is read; a body without a length is counted as it streams and
 * refused with 413 once too large; a message beyond a parse cap gets 400 with its 552 line; and
 * nothing of any of it is stored or left in the spool.
 */
class MxDelivLimitsTest {

    static final long MAX_MESSAGE_SIZE = 64 * 1024;

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void start() throws Exception {
        relay = TestRelay.start(dir, b -> b.maxMessageSize = MAX_MESSAGE_SIZE);
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @AfterEach
    void nothingStoredNorSpooled() throws IOException {
        assertThat(StoredMail.count(relay)).isZero();
        try (Stream<Path> files = Files.list(relay.config().dataDir().resolve("tmp"))) {
            assertThat(files).as("spool files left").isEmpty();
        }
    }

    /** Sends the request head, then {@code body} (which may be shorter than announced), and reads one answer. */
    private static Answer post(String head, byte[] body) throws IOException {
        try (SSLSocket s = WebClients.tls(relay.port("https"), List.of("http/1.1"))) {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return WebClients.readAnswer(s.getInputStream());
        }
    }

    private static String head(String recipients, String lengthHeader) {
        StringBuilder h = new StringBuilder("POST /mxdeliv HTTP/1.1\r\nHost: " + TestRelay.DOMAIN + "\r\n");
        for (String r : recipients.split(" ")) {
            h.append("X-MAIL-TO: ").append(r).append("\r\n");
        }
        return h.append(lengthHeader).append("\r\n").toString();
    }

    @Test
    void unknownRecipientsAreRefusedBeforeTheBodyIsRead() throws Exception {
        double before = Counters.refused(relay.relay().metrics(), "unknown_user");
        String nobody = TestRelay.address("nobody001");
        // A gigabyte announced, not one byte sent: the answer comes anyway.
        Answer a = post(head(nobody + " " + TestRelay.address("nobody002"), "Content-Length: 1000000000\r\n"), new byte[0]);
        assertThat(a).isEqualTo(new Answer(400, "550 5.1.1 No such user <" + nobody + ">"));
        assertThat(Counters.refused(relay.relay().metrics(), "unknown_user") - before).as("once per message").isEqualTo(1);

        Answer foreign = post(head("someone@elsewhere.example", "Content-Length: 1000000000\r\n"), new byte[0]);
        assertThat(foreign).isEqualTo(new Answer(400, "554 5.7.1 Relay access denied <someone@elsewhere.example>"));
    }

    @Test
    void announcedLengthOverTheLimitIs413BeforeTheBody() throws Exception {
        String bob = SmtpFixtures.account(relay);
        double before = Counters.refused(relay.relay().metrics(), "too_large");
        Answer a = post(head(bob, "Content-Length: " + (MAX_MESSAGE_SIZE + 1) + "\r\n"), new byte[0]);
        assertThat(a).isEqualTo(new Answer(413, "552 5.3.4 Message exceeds maximum size"));
        assertThat(Counters.refused(relay.relay().metrics(), "too_large") - before).isEqualTo(1);
    }

    @Test
    void aBodyWithoutLengthIsCountedAndRefusedOnceTooLarge() throws Exception {
        String bob = SmtpFixtures.account(relay);
        byte[] chunk = new byte[16 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (long sent = 0; sent <= MAX_MESSAGE_SIZE; sent += chunk.length) {
            chunked.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.writeBytes(chunk);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Answer a = post(head(bob, "Transfer-Encoding: chunked\r\n"), chunked.toByteArray());
        assertThat(a).isEqualTo(new Answer(413, "552 5.3.4 Message exceeds maximum size"));
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
    }

    @Test
    void aMessageBeyondAParseCapIs400WithIts552Line() throws Exception {
        String bob = SmtpFixtures.account(relay);
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 1001; i++) {
            m.append("X-F").append(i).append(": x\r\n");
        }
        m.append("\r\nbody\r\n");
        byte[] message = m.toString().getBytes(StandardCharsets.US_ASCII);
        Answer a = post(head(bob, "Content-Length: " + message.length + "\r\n"), message);
        assertThat(a).isEqualTo(new Answer(400, "552 5.3.4 Message header too large (more than 1000 fields)"));
    }
}
