package chatmail.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A few SMTP lines by hand over an established connection, to see exactly what the server says. */
final class SmtpProbe implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    final String greeting;

    SmtpProbe(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
        this.greeting = in.readLine();
    }

    /** Sends one command and returns the last line of the reply. */
    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply;
        do {
            reply = in.readLine();
            if (reply == null) {
                throw new IOException("connection closed after " + line);
            }
        } while (reply.length() > 3 && reply.charAt(3) == '-');
        return reply;
    }

    /** EHLO then AUTH PLAIN; returns the AUTH reply line. */
    String login(String user, String password) throws IOException {
        command("EHLO client.example");
        String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + plain);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
