package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.MessageBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bytes the outbound SMTP client puts on the wire after 354, now that it streams the
 * message in pieces (SEC-1): dot-stuffing must not depend on where a piece ends. The peer is a
 * loopback socket that records what arrives up to {@code CRLF.CRLF}, as a remote MTA's wire.
 */
class SmtpClientDataTest {

    @Test
    void dotsAtLineStartsAreDoubledWhereverAPieceEnds() throws Exception {
        // Lines starting with a dot just before, at and after the piece boundary, and at the very start.
        StringBuilder m = new StringBuilder(".first line\r\n");
        while (m.length() < SmtpClient.PIECE - 2) {
            m.append("x");
        }
        m.append("\r\n"); // this line ends where the first piece ends
        m.append(".at the boundary\r\n");
        while (m.length() < 2 * SmtpClient.PIECE) {
            m.append("y");
        }
        m.append("\r\n.after\r\n..two dots\r\nno final line break");
        byte[] message = m.toString().getBytes(StandardCharsets.US_ASCII);
        assertThat(message[SmtpClient.PIECE - 1]).isEqualTo((byte) '\n');
        assertThat(message[SmtpClient.PIECE]).isEqualTo((byte) '.');

        String wire = new String(sent(MessageBody.of(message)), StandardCharsets.US_ASCII);
        String expected = m.toString().replace("\r\n.", "\r\n..");
        assertThat(wire).isEqualTo("." + expected + "\r\n.\r\n");
        // The same through the old whole-array entry point.
        assertThat(new String(sent(message), StandardCharsets.US_ASCII)).isEqualTo(wire);
    }

    @Test
    void anEmptyMessageIsJustTheEnd() throws Exception {
        assertThat(new String(sent(MessageBody.of(new byte[0])), StandardCharsets.US_ASCII)).isEqualTo(".\r\n");
    }

    private static byte[] sent(Object message) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                var peer = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> receive(server), peer);
            try (SmtpClient client = SmtpClient.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
                    Duration.ofSeconds(10), Duration.ofSeconds(10))) {
                assertThat(client.greeting().code()).isEqualTo(354);
                SmtpResponse reply = message instanceof byte[] bytes
                        ? client.sendMessage(bytes, Duration.ofSeconds(10))
                        : client.sendMessage((MessageBody) message, Duration.ofSeconds(10));
                assertThat(reply.code()).isEqualTo(250);
            }
            return received.get(30, TimeUnit.SECONDS);
        }
    }

    /** Says 354 at once, records everything up to and including {@code CRLF.CRLF}, says 250. */
    private static byte[] receive(ServerSocket server) {
        try (Socket s = server.accept()) {
            OutputStream out = s.getOutputStream();
            out.write("354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            // The last four bytes, oldest first; a line "." ends the data (also as the very first line).
            int last = '\n';
            int b;
            while ((b = in.read()) >= 0) {
                data.write(b);
                last = (last << 8) | b;
                if ((last & 0xffffffff) == ('\n' << 24 | '.' << 16 | '\r' << 8 | '\n')
                        || data.size() == 3 && (last & 0xffffff) == ('.' << 16 | '\r' << 8 | '\n')) {
                    break;
                }
            }
            out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return data.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
