package chatmail.deltachat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A plain-socket IMAP/SMTP client for what the Delta Chat core cannot show: the capabilities a
 * logged-in session sees, and a hand-written unencrypted message sent with a profile's
 * credentials. Certificates are not checked (test relays are self-signed).
 */
final class RawMailClient implements AutoCloseable {

    private final SSLSocket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private RawMailClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    static RawMailClient connectTls(String host, int port, Duration timeout) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new AcceptAll()}, new SecureRandom());
            Socket plain = new Socket(host, port);
            plain.setSoTimeout((int) timeout.toMillis());
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
            tls.startHandshake();
            return new RawMailClient(tls);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** The capabilities an IMAP session has after LOGIN (implicit TLS port). */
    static List<String> imapCapabilitiesAfterLogin(String host, int port, String user, String password,
            Duration timeout) throws IOException {
        try (RawMailClient c = connectTls(host, port, timeout)) {
            c.readLine(); // greeting
            c.send("a LOGIN " + quote(user) + " " + quote(password));
            c.readUntilTagged("a");
            c.send("b CAPABILITY");
            List<String> caps = new ArrayList<>();
            for (String line : c.readUntilTagged("b")) {
                if (line.toUpperCase().startsWith("* CAPABILITY ")) {
                    caps.addAll(List.of(line.substring("* CAPABILITY ".length()).trim().split(" ")));
                }
            }
            c.send("c LOGOUT");
            return caps;
        }
    }

    /**
     * Submits one message over SMTP with implicit TLS; returns the first reply that is not
     * positive (or the final 250): the code a client would see.
     */
    static String smtpSubmit(String host, int port, String user, String password, String from, String to,
            String message, Duration timeout) throws IOException {
        try (RawMailClient c = connectTls(host, port, timeout)) {
            String r = c.smtpReply();
            c.send("EHLO test.localhost");
            r = c.smtpReply();
            String auth = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            c.send("AUTH PLAIN " + auth);
            if (!(r = c.smtpReply()).startsWith("235")) {
                return r;
            }
            c.send("MAIL FROM:<" + from + ">");
            if (!(r = c.smtpReply()).startsWith("250")) {
                return r;
            }
            c.send("RCPT TO:<" + to + ">");
            if (!(r = c.smtpReply()).startsWith("250")) {
                return r;
            }
            c.send("DATA");
            if (!(r = c.smtpReply()).startsWith("354")) {
                return r;
            }
            c.out.write((message.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n.\r\n").getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            r = c.smtpReply();
            c.send("QUIT");
            return r;
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String readLine() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("connection closed by the server");
        }
        return line;
    }

    private List<String> readUntilTagged(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            lines.add(line);
            if (line.startsWith(tag + " ")) {
                if (!line.startsWith(tag + " OK")) {
                    throw new IOException("IMAP command failed: " + line);
                }
                return lines;
            }
        }
    }

    /** The last line of a (possibly multi-line) SMTP reply. */
    private String smtpReply() throws IOException {
        String line;
        do {
            line = readLine();
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static final class AcceptAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
