package chatmail.bench.hostile;

import chatmail.bench.ClientTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One connection an attacker holds, plain or TLS: raw writes, and reads of one line at a time
 * (at most 16 KiB, CRLF stripped) so the bench sees the relay's exact replies.
 */
final class AttackSocket implements AutoCloseable {
    private static final int MAX_LINE = 16 * 1024;
    /** What this process's attackers achieved, for the report: TCP connections made, TLS handshakes finished. */
    private static final java.util.concurrent.atomic.LongAdder CONNECTIONS = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder HANDSHAKES = new java.util.concurrent.atomic.LongAdder();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long opened = System.nanoTime();

    private AttackSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A TCP connection from {@code source}, nothing sent; reads time out after {@code timeoutMillis} (0: never). */
    static AttackSocket plain(InetAddress source, String host, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(host, port), 30_000);
            CONNECTIONS.increment();
            s.setSoTimeout(timeoutMillis);
            return new AttackSocket(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A connection with a finished TLS 1.3 handshake. */
    static AttackSocket tls(ClientTls tls, InetAddress source, String host, int port, int timeoutMillis) throws IOException {
        Socket s = tls.connect(source, host, port);
        CONNECTIONS.increment();
        HANDSHAKES.increment();
        try {
            s.setSoTimeout(timeoutMillis);
            return new AttackSocket(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The same connection after a TLS handshake (STARTTLS was answered 220); this one must not be used any more. */
    AttackSocket startTls(ClientTls tls, String host, int port) throws IOException {
        int timeout = socket.getSoTimeout();
        Socket upgraded = tls.upgrade(socket, host, port);
        HANDSHAKES.increment();
        upgraded.setSoTimeout(timeout);
        return new AttackSocket(upgraded);
    }

    /** TCP connections this process opened (with a finished handshake, for TLS ones) since it began. */
    static long connections() {
        return CONNECTIONS.sum();
    }

    /** TLS handshakes this process finished since it began (implicit TLS and STARTTLS). */
    static long handshakes() {
        return HANDSHAKES.sum();
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The next line without its CRLF; null when the server closed the connection first. */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c;
            try {
                c = in.read();
            } catch (SocketTimeoutException e) {
                if (b.size() > 0) {
                    throw new IOException("partial line then silence: " + b.toString(StandardCharsets.ISO_8859_1));
                }
                throw e;
            }
            if (c < 0) {
                return b.size() == 0 ? null : printable(b.toString(StandardCharsets.ISO_8859_1));
            }
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return printable(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
            }
            if (b.size() < MAX_LINE) {
                b.write(c);
            }
        }
    }

    /** Bytes that are not text (a TLS record where a line was expected) as one word, for the tally. */
    private static String printable(String s) {
        return s.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f) ? s : "(" + s.length() + " bytes that are not text: a TLS record)";
    }

    /** The last line of an SMTP reply (skips {@code 250-} continuation lines); null at end of stream. */
    String smtpReply() throws IOException {
        while (true) {
            String l = line();
            if (l == null || l.length() < 4 || l.charAt(3) != '-') {
                return l;
            }
        }
    }

    /** Lines until one starts with {@code tag + " "}; returns that one, or the BYE / null that ended the session. */
    String tagged(String tag) throws IOException {
        while (true) {
            String l = line();
            if (l == null || l.startsWith(tag + " ") || l.startsWith("* BYE")) {
                return l;
            }
        }
    }

    /** Exactly {@code n} bytes, or fewer when the server closed the connection. */
    byte[] read(int n) throws IOException {
        return in.readNBytes(n);
    }

    void write(String s) throws IOException {
        write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Seconds since the connection was opened. */
    double ageSeconds() {
        return (System.nanoTime() - opened) / 1e9;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
