package chatmail.tls;

import chatmail.config.Config;
import chatmail.tls.x25519.X25519Provider;
import chatmail.util.Lazy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The relay's TLS set-up, built once from {@link Config}: the server certificate (external
 * files, self-signed, or issued by ACME with a self-signed stand-in until then, CFG-4), server
 * sockets and STARTTLS layering per {@link TlsPolicy}, and the client contexts for outbound
 * connections.
 *
 * <p>Handshakes run on the caller's thread (one virtual thread per connection) and obey the
 * socket's read timeout, which the caller sets.
 */
public final class TlsContexts {
    private static final List<String> OUTBOUND_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final KeyMaterialSource serverKeys;
    private final SSLContext serverContext;
    private final String[] serverCipherSuites;
    /**
     * {@link #serverParameters} per kind of accepted connection, made once: a socket copies what
     * it is given, and making them anew (the context's defaults copied, then replaced) was a
     * measurable part of what each attacking connection allocated. Never changed once made.
     */
    private final Map<AcceptedKind, SSLParameters> acceptedParameters = new ConcurrentHashMap<>();

    private record AcceptedKind(TlsPolicy policy, List<String> applicationProtocols) {}
    // The client contexts are made on first use: the system's CA list is a tenth of a second of
    // start-up that a relay pays only once it delivers or notifies. trusted_ca_file is read now, so
    // a bad one still stops the start.
    private final Lazy<TrustManager[]> outboundTrust;
    private final Lazy<SSLContext> outboundContext;
    private final Lazy<SSLContext> insecureOutboundContext;

    private TlsContexts(KeyMaterialSource serverKeys, Config config) {
        this.serverKeys = serverKeys;
        // Here too and not only in Main: the AOT training and in-process relays (tests, benches)
        // make their TLS here, and should do the same key exchange as a relay in production.
        X25519Provider.install();
        try {
            serverContext = SSLContext.getInstance("TLS");
            // No trust managers, not null: null makes JSSE load the system's CA list (a tenth of a
            // second and a megabyte) to check client certificates, which no port asks for.
            serverContext.init(new KeyManager[] {new ReloadingKeyManager(serverKeys)}, new TrustManager[0], null);
            serverCipherSuites = ServerCipherSuites.restrict(serverContext.getDefaultSSLParameters().getCipherSuites());
        } catch (GeneralSecurityException e) {
            throw new TlsConfigurationException("the JDK cannot set up TLS", e);
        }
        List<X509Certificate> extraCas = OutboundTrust.extraCas(config.trustedCaFile());
        outboundTrust = new Lazy<>(() -> OutboundTrust.trustManagers(extraCas));
        outboundContext = new Lazy<>(() -> clientContext(outboundTrust.get()));
        insecureOutboundContext = new Lazy<>(() -> clientContext(new TrustManager[] {UnverifiedTrustManager.INSTANCE}));
    }

    private static SSLContext clientContext(TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsConfigurationException("the JDK cannot set up TLS", e);
        }
    }

    public static TlsContexts create(Config config) {
        return create(config, Clock.systemUTC(), ExternalCertificateFiles.DEFAULT_CHECK_INTERVAL);
    }

    /**
     * @param clock used for certificate validity and for how often external files are checked
     * @param reloadCheckInterval at most one look at the external certificate files per interval
     * @throws TlsConfigurationException when no usable certificate can be had; nothing should start
     */
    public static TlsContexts create(Config config, Clock clock, Duration reloadCheckInterval) {
        return new TlsContexts(serverKeysFor(config, clock, reloadCheckInterval), config);
    }

    private static KeyMaterialSource serverKeysFor(Config config, Clock clock, Duration reloadCheckInterval) {
        return switch (config.tlsMode()) {
            case EXTERNAL -> {
                if (config.tlsKeyFile() == null) {
                    throw new TlsConfigurationException(
                            "tls_external_cert_and_key needs two paths: the certificate chain and the private key");
                }
                yield new ExternalCertificateFiles(config.tlsCertFile(), config.tlsKeyFile(), clock, reloadCheckInterval);
            }
            case SELF_SIGNED -> {
                KeyMaterial material = new SelfSignedCertificateFiles(config.dataDir(), clock)
                        .loadOrGenerate(config.mailDomain(), CertificateNames.forConfig(config));
                yield () -> material;
            }
            case ACME -> {
                // Served until ACME (chatmail.acme) installs the first CA-signed certificate (OPS-1).
                KeyMaterial standIn = new SelfSignedCertificateFiles(config.dataDir(), clock)
                        .loadOrGenerate(config.mailDomain(), CertificateNames.forConfig(config));
                yield new IssuedCertificateSource(standIn);
            }
        };
    }

    /** The certificate new connections are given now. */
    public X509Certificate currentCertificate() {
        return serverKeys.current().leaf();
    }

    /** In ACME mode, where the ACME client installs the certificates it obtains; else empty. */
    public Optional<IssuedCertificateSource> issuedCertificates() {
        return serverKeys instanceof IssuedCertificateSource issued ? Optional.of(issued) : Optional.empty();
    }

    /** Server context for components that configure TLS themselves (an embedded HTTP server). */
    public SSLContext serverContext() {
        return serverContext;
    }

    /**
     * Server-side parameters for a port kind.
     *
     * @param applicationProtocols ALPN names this side accepts, preferred first; empty for no ALPN
     */
    public SSLParameters serverParameters(TlsPolicy policy, List<String> applicationProtocols) {
        SSLParameters parameters = serverContext.getDefaultSSLParameters();
        parameters.setProtocols(policy.protocols().toArray(String[]::new));
        parameters.setCipherSuites(serverCipherSuites);
        parameters.setUseCipherSuitesOrder(true);
        parameters.setNeedClientAuth(false);
        parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        return parameters;
    }

    /** A listening socket whose connections start with a TLS handshake (465, 993). */
    public SSLServerSocket bindImplicit(TlsPolicy policy, InetSocketAddress address, int backlog)
            throws IOException {
        return bindImplicit(policy, address, backlog, List.of());
    }

    public SSLServerSocket bindImplicit(TlsPolicy policy, InetSocketAddress address, int backlog,
            List<String> applicationProtocols) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.setSSLParameters(serverParameters(policy, applicationProtocols));
            socket.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /**
     * STARTTLS: turns an accepted plain connection into a server-side TLS connection and runs
     * the handshake.
     *
     * <p>The caller must throw away whatever it has buffered from {@code plain} beyond the
     * STARTTLS command line and read only from the returned socket from now on. Bytes a client
     * sent after STARTTLS but before the handshake are thereby discarded and never executed
     * (SMTP-1, IMAP-3, the CVE-2011-0411 class of injection): this method deliberately takes no
     * leftover bytes. Bytes still unread in the kernel are read as handshake data, so they
     * make the handshake fail rather than reach the session.
     *
     * @throws IOException when the handshake fails; the connection is then unusable and closed
     */
    public SSLSocket startTls(Socket plain, TlsPolicy policy) throws IOException {
        SSLSocket socket = wrapAccepted(plain, policy, null, List.of());
        try {
            socket.startHandshake();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /**
     * Layers server-side TLS over an accepted connection without running the handshake yet
     * (it runs on first read, or on {@link SSLSocket#startHandshake()}).
     *
     * @param alreadyRead the start of the client's handshake that a router such as the port
     *     443 multiplexer took off the connection to look at the ClientHello; {@code null} when
     *     nothing was read. Never pass bytes a line-based session buffered: see {@link #startTls}.
     */
    public SSLSocket wrapAccepted(Socket plain, TlsPolicy policy, InputStream alreadyRead,
            List<String> applicationProtocols) throws IOException {
        SSLSocket socket = (SSLSocket) serverContext.getSocketFactory().createSocket(plain, alreadyRead, true);
        socket.setSSLParameters(acceptedParameters.computeIfAbsent(new AcceptedKind(policy, List.copyOf(applicationProtocols)),
                kind -> serverParameters(kind.policy(), kind.applicationProtocols())));
        return socket;
    }

    /** The ALPN protocol agreed in the handshake, if any; runs the handshake when not yet done. */
    public static Optional<String> negotiatedApplicationProtocol(SSLSocket socket) throws IOException {
        String protocol = socket.getApplicationProtocol();
        if (protocol == null) {
            socket.startHandshake();
            protocol = socket.getApplicationProtocol();
        }
        return protocol == null || protocol.isEmpty() ? Optional.empty() : Optional.of(protocol);
    }

    /**
     * For the warm-up: makes the outbound context and checks the relay's own certificate chain as
     * an outbound handshake checks another server's. The first successful check in a JVM loads the
     * JDK's list of its own CAs (for its distrust rules; 11-50 ms right after a start), which the
     * first handshake to another relay otherwise waits for. A chain the outbound trust does not
     * accept (self-signed and not in {@code trusted_ca_file}) warms only the context.
     */
    public void warmUpOutboundTrust() {
        outboundContext.get();
        X509Certificate[] chain = serverKeys.current().chain().toArray(X509Certificate[]::new);
        for (TrustManager manager : outboundTrust.get()) {
            if (manager instanceof X509TrustManager x509) {
                try {
                    // "UNKNOWN": the key exchange's name, which TLS 1.3 no longer ties to the certificate
                    x509.checkServerTrusted(chain, "UNKNOWN");
                } catch (CertificateException e) {
                    // not trusted here: nothing more to warm
                }
            }
        }
    }

    /**
     * Client context for outbound connections that verifies certificates against the system's
     * CAs and {@code trusted_ca_file}. Hostnames are checked only when the socket's parameters
     * ask for it; use {@link #outboundParameters(String)}.
     */
    public SSLContext outboundContext() {
        return outboundContext.get();
    }

    /**
     * Client context that accepts any certificate. Only for {@code _} domains and IP literals,
     * which cannot have a verifiable certificate (DLV-2); never as a fallback after a failed
     * verification.
     */
    public SSLContext insecureOutboundContext() {
        return insecureOutboundContext.get();
    }

    /**
     * Client parameters for a connection to {@code host}: TLS 1.2 and 1.3, hostname
     * verification, and SNI for host names (not for IP literals or {@code _} names). Apply
     * them to a socket from {@link #outboundContext()} before the handshake.
     */
    public SSLParameters outboundParameters(String host) {
        SSLParameters parameters = outboundContext.get().getDefaultSSLParameters();
        parameters.setProtocols(OUTBOUND_PROTOCOLS.toArray(String[]::new));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException e) {
                // "_" domains are not valid host names for SNI; such peers are reached unverified anyway.
            }
        }
        return parameters;
    }

    static boolean isIpLiteral(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.contains(":")) {
            return true;
        }
        return bare.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
