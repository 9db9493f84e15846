package chatmail.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS 1.3 client sockets for the load generator. Both servers under test use throw-away
 * self-signed certificates on loopback, so certificates are not verified; what is measured is
 * the cost of the handshake and the encrypted traffic, which verification does not change.
 */
public final class ClientTls {
    private static final TrustManager[] TRUST_ANY = {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }};

    /**
     * The one key exchange group the IDLE clients offer: JSSE sends a key share for its first
     * group of each kind, so its defaults make every ClientHello carry an X25519 and a P-256 key
     * pair, and the P-256 one, never used (our relay picks X25519), was a tenth of the load
     * generator's CPU per login. Devices send one classical share too (rustls and OpenSSL:
     * X25519, beside a post-quantum hybrid that JDK 25 does not offer).
     */
    static final List<String> X25519_ONLY = List.of("x25519");

    private final SSLContext context;
    private final Duration connectTimeout;
    /** Named groups to offer, or null for JSSE's defaults. */
    private final String[] namedGroups;

    public ClientTls(Duration connectTimeout) {
        this(connectTimeout, null);
    }

    /**
     * @param namedGroups the key exchange groups to offer, preferred first (a key share is sent
     *     for the first of each kind); null for JSSE's defaults, which every server supports
     */
    public ClientTls(Duration connectTimeout, List<String> namedGroups) {
        this.connectTimeout = connectTimeout;
        this.namedGroups = namedGroups == null ? null : namedGroups.toArray(String[]::new);
        try {
            context = SSLContext.getInstance("TLSv1.3");
            context.init(null, TRUST_ANY, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS 1.3 client", e);
        }
    }

    /** TLS 1.3 over a connection that is already open (after STARTTLS); the handshake is done on return. */
    public SSLSocket upgrade(Socket plain, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        configure(tls);
        tls.startHandshake();
        return tls;
    }

    private void configure(SSLSocket tls) {
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        if (namedGroups != null) {
            parameters.setNamedGroups(namedGroups);
        }
        tls.setSSLParameters(parameters);
        tls.setUseClientMode(true);
    }

    /**
     * Connects from {@code source} (null: the kernel's choice) to {@code host:port}, with
     * TCP_NODELAY, and completes a TLS 1.3 handshake before returning.
     */
    public SSLSocket connect(InetAddress source, String host, int port) throws IOException {
        return connect(source, host, port, step -> { });
    }

    /** As above, telling {@code progress} each step as it begins. */
    public SSLSocket connect(InetAddress source, String host, int port, Consumer<String> progress) throws IOException {
        progress.accept("socket");
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            if (source != null) {
                plain.bind(new InetSocketAddress(source, 0));
            }
            progress.accept("TCP connect");
            plain.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            plain.setSoTimeout((int) connectTimeout.toMillis());
            progress.accept("TLS handshake");
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
            configure(tls);
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
