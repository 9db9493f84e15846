package chatmail.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A raw SMTP client for tests: it writes exactly the bytes a test gives it and reads replies line
 * by line, so tests can assert on exact reply lines, pipelining and smuggling. Loopback only.
 */
public final class SmtpClient implements AutoCloseable {

    /** Upper bound for any single wait; a test that needs longer is broken. */
    static final Duration READ_DEADLINE = Duration.ofSeconds(20);

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int reads;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) READ_DEADLINE.toMillis());
        streams();
    }

    private void streams() throws IOException {
        // Counting reads lets tests see whether a reply burst arrived in one piece.
        InputStream raw = socket.getInputStream();
        in = new BufferedInputStream(new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = raw.read(b, off, len);
                if (n > 0) {
                    reads++;
                }
                return n;
            }
        }, 65536);
        out = socket.getOutputStream();
    }

    /** Plain TCP (port 25, 587 before STARTTLS). */
    public static SmtpClient connect(int port) throws IOException {
        return new SmtpClient(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /** Plain TCP from a chosen loopback source address (127.0.0.x), for per-client limits. */
    public static SmtpClient connectFrom(String localAddress, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(localAddress, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        return new SmtpClient(s);
    }

    /** Implicit TLS (port 465), TLS 1.3 as Delta Chat does. */
    public static SmtpClient connectTls(int port) throws IOException {
        SSLSocket s = (SSLSocket) TrustAllTls.socketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) READ_DEADLINE.toMillis());
        s.startHandshake();
        return new SmtpClient(s);
    }

    /** Plain TCP to another loopback address than 127.0.0.1 (federation tests: one relay per address). */
    public static SmtpClient connect(InetSocketAddress address) throws IOException {
        return connect(address, null);
    }

    /** Plain TCP from a chosen loopback source address (null: any) to another loopback address. */
    public static SmtpClient connect(InetSocketAddress address, InetAddress from) throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(address, 10_000);
        return new SmtpClient(s);
    }

    /** Implicit TLS to another loopback address than 127.0.0.1 (federation tests: one relay per address). */
    public static SmtpClient connectTls(InetSocketAddress address) throws IOException {
        SSLSocket s = (SSLSocket) TrustAllTls.socketFactory().createSocket(address.getAddress(), address.getPort());
        s.setSoTimeout((int) READ_DEADLINE.toMillis());
        s.startHandshake();
        return new SmtpClient(s);
    }

    /** Connects to the HTTPS port offering only ALPN {@code smtp}, so the port-443 router serves submission (WEB-3). */
    public static SmtpClient connectAlpn(int httpsPort) throws IOException {
        SSLSocket s = (SSLSocket) TrustAllTls.socketFactory().createSocket(InetAddress.getLoopbackAddress(), httpsPort);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"smtp"});
        s.setSSLParameters(p);
        s.setSoTimeout((int) READ_DEADLINE.toMillis());
        s.startHandshake();
        return new SmtpClient(s);
    }

    /** Connects with implicit TLS or plain, reads the greeting, says EHLO and upgrades when needed. */
    public static SmtpClient ready(int port, boolean implicitTls) throws IOException {
        SmtpClient c = implicitTls ? connectTls(port) : connect(port);
        c.expect(c.readReply(), 220);
        c.expect(c.ehlo(), 250);
        if (!implicitTls) {
            c.startTls();
            c.expect(c.ehlo(), 250);
        }
        return c;
    }

    public ServerReply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed; got so far: " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new ServerReply(lines);
            }
        }
    }

    /** One line without CRLF; null at end of stream. Fails on a line not ending in CRLF. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() > 0) {
                    throw new IOException("partial line at end of stream: " + line);
                }
                return null;
            }
            if (b == '\n') {
                if (prev != '\r') {
                    throw new IOException("bare LF from server after: " + line);
                }
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            prev = b;
        }
    }

    /** Sends one command line (CRLF appended) and reads its reply. */
    public ServerReply command(String line) throws IOException {
        send(line);
        return readReply();
    }

    public void send(String line) throws IOException {
        write(line + "\r\n");
    }

    /** Writes exactly these characters (UTF-8) in one write. */
    public void write(String raw) throws IOException {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    public void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    public ServerReply ehlo() throws IOException {
        return command("EHLO client.example");
    }

    /** STARTTLS, then the TLS 1.2/1.3 handshake (what the server allows decides). */
    public void startTls() throws IOException {
        expect(command("STARTTLS"), 220);
        upgrade();
    }

    /** The handshake alone, for tests that sent STARTTLS themselves. */
    public void upgrade() throws IOException {
        SSLSocket tls = (SSLSocket) TrustAllTls.socketFactory().createSocket(socket,
                socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        tls.setSSLParameters(p);
        tls.setSoTimeout((int) READ_DEADLINE.toMillis());
        tls.startHandshake();
        socket = tls;
        streams();
    }

    public boolean isTls() {
        return socket instanceof SSLSocket;
    }

    /** AUTH PLAIN with an initial response. */
    public ServerReply authPlain(String user, String password) throws IOException {
        return command("AUTH PLAIN " + plainResponse(user, password));
    }

    public static String plainResponse(String user, String password) {
        return base64("\0" + user + "\0" + password);
    }

    public static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * DATA, the 354, then the message dot-stuffed and terminated; returns the reply to the end
     * of data. Fails when DATA is not answered with 354.
     */
    public ServerReply data(byte[] message) throws IOException {
        expect(command("DATA"), 354);
        write(dotStuffed(message));
        return readReply();
    }

    /** A whole transaction; the reply to the first failing command, or the one after DATA. */
    public ServerReply sendMail(String from, List<String> to, byte[] message) throws IOException {
        ServerReply r = command("MAIL FROM:<" + from + ">");
        if (!r.positive()) return r;
        for (String rcpt : to) {
            r = command("RCPT TO:<" + rcpt + ">");
            if (!r.positive()) return r;
        }
        return data(message);
    }

    public ServerReply sendMail(String from, String to, byte[] message) throws IOException {
        return sendMail(from, List.of(to), message);
    }

    /** The message with leading dots doubled and {@code CRLF.CRLF} appended (the message ends in CRLF). */
    public static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                o.write('.');
            }
            o.write(b);
            lineStart = b == '\n';
        }
        if (message.length > 0 && message[message.length - 1] != '\n') {
            o.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        o.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return o.toByteArray();
    }

    /**
     * Waits until the server closes the connection (end of stream or reset) within the read
     * deadline; returns whatever was sent before the close.
     */
    public String awaitClosed() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                rest.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection within " + READ_DEADLINE
                    + "; received: " + rest.toString(StandardCharsets.UTF_8));
        } catch (IOException reset) {
            // A reset is a close too.
        }
        return rest.toString(StandardCharsets.UTF_8);
    }

    /** How many socket reads returned data so far (counts TLS records or TCP segments received). */
    public int reads() {
        return reads;
    }

    public void expect(ServerReply reply, int code) {
        if (reply.code() != code) {
            throw new AssertionError("expected " + code + " but got: " + reply);
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
