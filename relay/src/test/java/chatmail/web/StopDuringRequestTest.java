package chatmail.web;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures;
import chatmail.testing.DirectoryWatch;
import chatmail.testing.LogLines;
import chatmail.testing.TestRelay;
import chatmail.web.WebClients.Answer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that stops while it reads a {@code POST /mxdeliv} answers that request before it
 * closes: the sending relay otherwise gets no answer for a message whose commit may be under
 * way, and sends it again after the restart. New connections are refused meanwhile.
 */
class StopDuringRequestTest {

    @TempDir
    Path dir;

    @Test
    void aRequestBeingReadWhenTheRelayStopsIsAnsweredAsWithoutTheStop() throws Exception {
        TestRelay relay = TestRelay.start(dir);
        CompletableFuture<Void> stopped = null;
        try (LogLines web = LogLines.of(WebServer.class)) {
            String bob = SmtpFixtures.account(relay);
            int https = relay.port("https");
            // Unsigned, so the inbound pipeline refuses it after reading it all; larger than
            // what the spool keeps in memory, so a spool file shows the body is being read.
            byte[] message = unsignedMessage(bob, 200 * 1024);
            String head = "POST /mxdeliv HTTP/1.1\r\nHost: " + TestRelay.DOMAIN + "\r\nX-MAIL-TO: " + bob
                    + "\r\nContent-Length: " + message.length + "\r\n\r\n";

            Answer undisturbed;
            try (SSLSocket s = WebClients.tls(https, List.of("http/1.1"))) {
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(message);
                s.getOutputStream().flush();
                undisturbed = WebClients.readAnswer(s.getInputStream());
            }
            assertThat(undisturbed.status()).as("the answer without a stop: " + undisturbed).isEqualTo(400);

            try (SSLSocket s = WebClients.tls(https, List.of("http/1.1"))) {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(message, 0, message.length / 2);
                out.flush();
                DirectoryWatch.await(relay.config().dataDir().resolve("tmp"), n -> n > 0, Duration.ofSeconds(20));

                stopped = CompletableFuture.runAsync(relay::close);
                web.await(line -> line.contains("waiting up to 5 s for 1 requests being answered"), 20);
                out.write(message, message.length / 2, message.length - message.length / 2);
                out.flush();

                assertThat(WebClients.readAnswer(s.getInputStream())).isEqualTo(undisturbed);
            }
            stopped.get(20, TimeUnit.SECONDS);
            assertThat(stopped).isCompleted();
        } finally {
            if (stopped == null) {
                relay.close();
            }
        }
    }

    private static byte[] unsignedMessage(String to, int bodyBytes) {
        String header = "From: someone@elsewhere.example\r\nTo: " + to + "\r\nSubject: [...]\r\n"
                + "Message-ID: <stop-during-request@elsewhere.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain\r\n\r\n";
        byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        while (m.size() < bodyBytes) {
            m.writeBytes(line);
        }
        return m.toByteArray();
    }
}
