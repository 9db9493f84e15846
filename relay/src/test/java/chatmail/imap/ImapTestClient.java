package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.SSLSocket;

/**
 * A raw IMAP client for tests: writes exactly what the test says and returns the server's lines
 * exactly (a line with literals keeps them inline: {@code * 1 FETCH (BODY[] {3}\r\nabc)}).
 * Reads time out after ten seconds, so a missing response fails the test instead of hanging.
 */
public final class ImapTestClient implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 10_000;

    private final TestRelay relay;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int tagCounter;

    private ImapTestClient(TestRelay relay, Socket socket) throws IOException {
        this.relay = relay;
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to 993 and runs the TLS handshake. */
    public static ImapTestClient imaps(TestRelay relay) throws IOException {
        return new ImapTestClient(relay, tlsOver(relay, new Socket(relay.host(), relay.port("imaps"))));
    }

    /** Connects to an IMAPS port of a relay in another JVM (no STARTTLS later). */
    static ImapTestClient imaps(int port) throws IOException {
        SSLSocket tls = (SSLSocket) chatmail.smtp.TrustAllTls.socketFactory()
                .createSocket(new Socket(InetAddress.getLoopbackAddress(), port), "127.0.0.1", port, true);
        tls.setUseClientMode(true);
        tls.setSoTimeout(READ_TIMEOUT_MILLIS);
        tls.startHandshake();
        return new ImapTestClient(null, tls);
    }

    /** Connects to 143 without TLS. */
    static ImapTestClient imap(TestRelay relay) throws IOException {
        return new ImapTestClient(relay, new Socket(InetAddress.getLoopbackAddress(), relay.port("imap")));
    }

    /** Connects from a chosen loopback address (for per-client limits). */
    static ImapTestClient imapsFrom(TestRelay relay, String localAddress) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), relay.port("imaps"),
                InetAddress.getByName(localAddress), 0);
        return new ImapTestClient(relay, tlsOver(relay, plain));
    }

    /** Connects to the HTTPS port and asks for IMAP by ALPN, as clients behind firewalls do (WEB-3). */
    static ImapTestClient via443(TestRelay relay) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), relay.port("https"));
        SSLSocket tls = (SSLSocket) relay.relay().tls().insecureOutboundContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", plain.getPort(), true);
        tls.setUseClientMode(true);
        javax.net.ssl.SSLParameters p = tls.getSSLParameters();
        p.setApplicationProtocols(new String[] {"imap"});
        tls.setSSLParameters(p);
        tls.setSoTimeout(READ_TIMEOUT_MILLIS);
        tls.startHandshake();
        return new ImapTestClient(relay, tls);
    }

    /** Connects to 143 (no TLS) from a chosen loopback address. */
    static ImapTestClient imapFrom(TestRelay relay, String localAddress) throws IOException {
        return new ImapTestClient(relay, new Socket(InetAddress.getLoopbackAddress(), relay.port("imap"),
                InetAddress.getByName(localAddress), 0));
    }

    private static SSLSocket tlsOver(TestRelay relay, Socket plain) throws IOException {
        SSLSocket tls = (SSLSocket) relay.relay().tls().insecureOutboundContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", plain.getPort(), true);
        tls.setUseClientMode(true);
        tls.setSoTimeout(READ_TIMEOUT_MILLIS);
        tls.startHandshake();
        return tls;
    }

    /** STARTTLS was answered: run the handshake over the same connection. */
    void startTls() throws IOException {
        socket = tlsOver(relay, socket);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** COMPRESS was answered: from now on both directions are raw deflate. */
    void compress() {
        in = new InflaterInputStream(in, new Inflater(true));
        out = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true), true);
    }

    Socket socket() {
        return socket;
    }

    /** The response stream as it is, for a test that reads a large literal piece by piece. */
    InputStream input() {
        return in;
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** One response line, literals inline, without the final CRLF. */
    /** The next line that is not the relay's IDLE keep-alive ({@code * OK Still here}). */
    String lineSkippingKeepAlives() throws IOException {
        String line;
        do {
            line = line();
        } while (line.equals("* OK Still here"));
        return line;
    }

    String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed; got so far: " + line.toString(StandardCharsets.UTF_8));
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length;
                if (n > 0 && bytes[n - 1] == '\r') {
                    n--;
                }
                String text = new String(bytes, 0, n, StandardCharsets.UTF_8);
                int open = text.lastIndexOf('{');
                if (text.endsWith("}") && open >= 0 && text.substring(open + 1, text.length() - 1).matches("\\d+")) {
                    int size = Integer.parseInt(text.substring(open + 1, text.length() - 1));
                    line.write('\n');
                    line.writeBytes(in.readNBytes(size));
                    continue;
                }
                return text;
            }
            line.write(b);
        }
    }

    /** Lines up to and including the tagged response of {@code tag}. */
    List<String> until(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                return lines;
            }
        }
    }

    /** Sends {@code tag command} and returns every response line through the tagged one. */
    public List<String> command(String tag, String command) throws IOException {
        send(tag + " " + command + "\r\n");
        return until(tag);
    }

    /** The same with a fresh tag; returns the lines. */
    List<String> command(String command) throws IOException {
        return command("t" + (++tagCounter), command);
    }

    /** Runs a command that must end with a tagged OK; returns the untagged lines. */
    List<String> ok(String command) throws IOException {
        String tag = "k" + (++tagCounter);
        List<String> lines = command(tag, command);
        assertThat(lines.getLast()).as("answer to %s", command).startsWith(tag + " OK");
        return lines.subList(0, lines.size() - 1);
    }

    /** Reads the greeting and logs in with quoted strings. */
    public ImapTestClient login(String user, String password) throws IOException {
        assertThat(line()).startsWith("* OK [CAPABILITY IMAP4rev1 ");
        List<String> lines = command("l", "LOGIN " + quote(user) + " " + quote(password));
        assertThat(lines.getLast()).startsWith("l OK [CAPABILITY IMAP4rev1 ");
        return this;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** True when the server closed the connection (reads end of stream before the timeout). */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what was still sent
            }
            return true;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
