package chatmail.account;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** SMTP AUTH PLAIN over implicit TLS (port 465) with a raw JDK socket, trusting only the relay's certificate. */
public final class SmtpsLogin {

    private final SSLContext context;
    private final int port;

    public SmtpsLogin(X509Certificate relayCertificate, int port) throws Exception {
        this(trusting(relayCertificate), port);
    }

    public SmtpsLogin(SSLContext context, int port) {
        this.context = context;
        this.port = port;
    }

    private static SSLContext trusting(X509Certificate relayCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relay", relayCertificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** The reply line (last line) to AUTH PLAIN, e.g. {@code 235 2.7.0 Authentication successful}. */
    public String authPlain(String user, String password) throws IOException {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.startHandshake();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            expect(reply(in), "220");
            send(out, "EHLO client.localhost");
            expect(reply(in), "250");
            String token = Base64.getEncoder().encodeToString(
                    ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            send(out, "AUTH PLAIN " + token);
            String result = reply(in);
            send(out, "QUIT");
            return result;
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one (possibly multi-line) reply and returns its last line. */
    private static String reply(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by the relay");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    private static void expect(String line, String code) throws IOException {
        if (!line.startsWith(code)) {
            throw new IOException("expected " + code + ", got: " + line);
        }
    }
}
