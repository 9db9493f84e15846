package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP client with per-step control: the caller decides what to send after each reply
 * ({@link SmtpTransaction} does it for a delivery). TCP_NODELAY, and every group of commands
 * goes out in one write, so a pipelined transaction costs one round trip. Replies are bounded
 * (line length, line count) so a hostile server cannot exhaust memory.
 */
public final class SmtpClient implements AutoCloseable {

    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 200;

    private final Socket raw;
    private Socket socket;
    private InputStream in;
    /** The largest piece of a message read at once while it is sent. */
    static final int PIECE = 64 * 1024;
    private OutputStream out;
    private final Duration commandTimeout;
    private Set<String> extensions = Set.of();
    private boolean tls;

    private SmtpClient(Socket socket, Duration commandTimeout) throws IOException {
        this.raw = socket;
        this.commandTimeout = commandTimeout;
        use(socket);
    }

    /** Connects; the greeting is read with {@link #greeting()}. */
    public static SmtpClient connect(InetSocketAddress address, Duration connectTimeout, Duration commandTimeout)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) connectTimeout.toMillis());
            return new SmtpClient(socket, commandTimeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout((int) commandTimeout.toMillis());
        // Read-ahead is safe: after STARTTLS a new stream is made, so anything a server (or a
        // man in the middle) sent behind its 220 is thrown away, never read as TLS-protected.
        in = new BufferedInputStream(s.getInputStream(), 8192);
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    public SmtpResponse greeting() throws IOException {
        return read();
    }

    /** EHLO; remembers the extensions a positive answer lists (upper case keywords with arguments). */
    public SmtpResponse ehlo(String name) throws IOException {
        SmtpResponse response = command("EHLO " + name);
        Set<String> ext = new LinkedHashSet<>();
        if (response.code() == 250) {
            for (int i = 1; i < response.lines().size(); i++) {
                ext.add(response.lines().get(i).strip().toUpperCase(Locale.ROOT));
            }
        }
        extensions = ext;
        return response;
    }

    /** True when the last EHLO listed this keyword (with or without arguments). */
    public boolean supports(String keyword) {
        String k = keyword.toUpperCase(Locale.ROOT);
        for (String e : extensions) {
            if (e.equals(k) || e.startsWith(k + " ")) {
                return true;
            }
        }
        return false;
    }

    public boolean isTls() {
        return tls;
    }

    /**
     * STARTTLS and the handshake. Nothing is buffered from before (this client never reads ahead
     * of a reply), so the server cannot inject plaintext into the TLS session. EHLO must be sent
     * again afterwards.
     *
     * @return the server's reply to STARTTLS; TLS is on only when it was 220
     * @throws IOException when the handshake fails (certificate not trusted, no common protocol)
     */
    public SmtpResponse startTls(SSLContext context, SSLParameters parameters, String host) throws IOException {
        SmtpResponse response = command("STARTTLS");
        if (response.code() != 220) {
            return response;
        }
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        use(ssl);
        tls = true;
        extensions = Set.of();
        return response;
    }

    public SmtpResponse command(String line) throws IOException {
        return pipeline(List.of(line)).getFirst();
    }

    /** Sends the commands in one write and reads one reply per command. */
    public List<SmtpResponse> pipeline(List<String> lines) throws IOException {
        for (String line : lines) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("SMTP command must be one line");
            }
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
        List<SmtpResponse> responses = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            responses.add(read());
        }
        return responses;
    }

    /**
     * Sends the message after a 354 (dot-stuffed, terminated by {@code CRLF.CRLF}) and reads the
     * final reply. The message must have CRLF line endings, as everything this relay accepted.
     */
    public SmtpResponse sendMessage(byte[] message, Duration dataTimeout) throws IOException {
        return sendMessage(MessageBody.of(message), dataTimeout);
    }

    /**
     * As {@link #sendMessage(byte[], Duration)}, the message streamed from its source in pieces
     * of {@link #PIECE} bytes (SEC-1: a queued 30 MB message is never in memory whole).
     */
    public SmtpResponse sendMessage(MessageBody message, Duration dataTimeout) throws IOException {
        socket.setSoTimeout((int) dataTimeout.toMillis());
        try (InputStream in = message.openStream()) {
            byte[] piece = new byte[PIECE];
            boolean lineStart = true;
            int n;
            while ((n = in.read(piece)) >= 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (lineStart && piece[i] == '.') {
                        // Dot-stuffing (RFC 5321 4.5.2): the line's dot goes out twice.
                        out.write(piece, from, i - from);
                        out.write('.');
                        from = i;
                    }
                    lineStart = piece[i] == '\n';
                }
                out.write(piece, from, n - from);
            }
            if (!lineStart) {
                out.write('\r');
                out.write('\n');
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read();
        } finally {
            socket.setSoTimeout((int) commandTimeout.toMillis());
        }
    }

    /**
     * QUIT, politely, waiting at most {@code timeout} for the reply; errors are ignored, the
     * connection closes either way.
     */
    public void quit(Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            command("QUIT");
        } catch (IOException | RuntimeException ignored) {
            // the transaction's outcome is known already
        }
    }

    /**
     * Ends the connection from another thread: closes the TCP socket under TLS, which ends a
     * blocked read or write at once (closing the TLS socket would first try to send a
     * close_notify, and could wait behind a blocked write).
     */
    public void abort() {
        try {
            raw.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }

    private SmtpResponse read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("malformed SMTP reply");
            }
            int code = Integer.parseInt(line.substring(0, 3));
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new SmtpResponse(code, lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new IOException("SMTP reply has too many lines");
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("SMTP reply line too long");
            }
            line.write(b);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
