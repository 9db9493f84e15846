package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.net.ssl.SSLSocket;

/** Submits a message over the relay's real submission port 465, as a Delta Chat client does. */
final class SmtpSubmitter {
    private SmtpSubmitter() {}

    static void submit(TestRelay relay, String from, String password, String to, byte[] message) throws IOException {
        Socket plain = new Socket(relay.host(), relay.port("submissions"));
        try (SSLSocket socket = (SSLSocket) relay.relay().tls().insecureOutboundContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
            socket.setUseClientMode(true);
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.test", "250");
            String plainAuth = Base64.getEncoder().encodeToString(("\0" + from + "\0" + password).getBytes(StandardCharsets.UTF_8));
            command(out, in, "AUTH PLAIN " + plainAuth, "235");
            command(out, in, "MAIL FROM:<" + from + ">", "250");
            command(out, in, "RCPT TO:<" + to + ">", "250");
            command(out, in, "DATA", "354");
            String text = new String(message, StandardCharsets.UTF_8).replace("\r\n.", "\r\n..");
            out.write(text.getBytes(StandardCharsets.UTF_8));
            if (!text.endsWith("\r\n")) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            command(out, in, ".", "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        expect(in, code);
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("SMTP reply").isNotNull().startsWith(code);
        } while (line.charAt(3) == '-');
    }
}
