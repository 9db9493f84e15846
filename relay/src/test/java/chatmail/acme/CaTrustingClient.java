package chatmail.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client that trusts one root only (the test CA's, never the system's) and checks the
 * host name, as a mail server or browser checks a relay's certificate. A handshake with any
 * certificate that does not chain to the root, or does not name the host, fails.
 */
final class CaTrustingClient {

    private final SSLContext context;

    CaTrustingClient(X509Certificate root) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
    }

    /** Implicit TLS to a port on 127.0.0.1 as {@code host} (SNI and name check); open, handshake done. */
    SSLSocket connect(int port, String host, List<String> alpn) throws IOException {
        return connect(InetAddress.getLoopbackAddress(), port, host, alpn);
    }

    /** The same to another address (a node of a cluster on 127.0.0.2, ...). */
    SSLSocket connect(InetAddress address, int port, String host, List<String> alpn) throws IOException {
        Socket plain = new Socket(address, port);
        plain.setSoTimeout(20_000);
        return handshake(plain, host, alpn);
    }

    /** The certificate a port on {@code address} presents to {@code host}, verified. */
    X509Certificate certificate(InetAddress address, int port, String host, List<String> alpn) throws IOException {
        try (SSLSocket tls = connect(address, port, host, alpn)) {
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    /** The certificate a port presents to {@code host}, verified. */
    X509Certificate certificate(int port, String host, List<String> alpn) throws IOException {
        try (SSLSocket tls = connect(port, host, alpn)) {
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    /** SMTP on port 25: greeting, EHLO, STARTTLS, then the verified handshake. */
    X509Certificate smtpStartTls(int port, String host) throws IOException {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
            plain.setSoTimeout(20_000);
            InputStream in = plain.getInputStream();
            OutputStream out = plain.getOutputStream();
            reply(in, "220");
            out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in, "220");
            try (SSLSocket tls = handshake(plain, host, List.of())) {
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }

    private SSLSocket handshake(Socket plain, String host, List<String> alpn) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setApplicationProtocols(alpn.toArray(String[]::new));
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    /** Reads one SMTP reply byte by byte (nothing beyond it, the TLS handshake follows) and checks its code. */
    private static void reply(InputStream in, String code) throws IOException {
        while (true) {
            String line = line(in);
            if (!line.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + line);
            }
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
