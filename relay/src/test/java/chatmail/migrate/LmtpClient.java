package chatmail.migrate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal LMTP client (RFC 2033) over a unix socket: one message to one recipient per call. */
final class LmtpClient implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private LmtpClient(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    static LmtpClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        LmtpClient client = new LmtpClient(channel);
        client.expect("220");
        client.command("LHLO test.localhost", "250");
        return client;
    }

    /** Delivers {@code message} (CRLF line ends); fails unless the server answers 250 for the recipient. */
    void deliver(String from, String to, byte[] message) throws IOException {
        command("MAIL FROM:<" + from + ">", "250");
        command("RCPT TO:<" + to + ">", "250");
        command("DATA", "354");
        ByteArrayOutputStream data = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                data.write('.');
            }
            data.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            data.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        data.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(data.toByteArray());
        out.flush();
        expect("250");
    }

    private void command(String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(code);
    }

    private void expect(String code) throws IOException {
        String line;
        do {
            line = readLine();
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("LMTP: expected " + code + ", got " + line);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c < 0 && line.size() == 0) {
            throw new IOException("LMTP: connection closed");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        try {
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
        channel.close();
    }
}
