package chatmail.acme;

import chatmail.net.AlpnRouter;
import chatmail.tls.TlsSockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.util.CertificateUtils;

/**
 * Answers ACME TLS-ALPN-01 (RFC 8737) on the HTTPS port: the port-443 router hands over every
 * connection whose ClientHello offers only {@code acme-tls/1}; this finishes the handshake with
 * a self-signed certificate for the requested name (SNI) that carries the pending challenge's
 * validation value, and closes the connection. A name without a pending challenge gets no
 * certificate, so the handshake fails. Nothing else is ever served on such a connection.
 */
public final class TlsAlpnResponder implements AlpnRouter.HandshakeAnswer {

    private final AcmeState state;
    private final SSLContext context;
    private KeyPair keys;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    private record Served(byte[] validation, X509Certificate certificate) {}

    public TlsAlpnResponder(AcmeState state) {
        this.state = state;
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new ChallengeKeyManager()}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot set up TLS for ACME challenges", e);
        }
    }

    @Override
    public void answer(Socket socket, InputStream alreadyRead) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, alreadyRead, true);
        try {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            parameters.setApplicationProtocols(new String[] {TlsAlpn01Challenge.ACME_TLS_1_PROTOCOL});
            tls.setSSLParameters(parameters);
            tls.startHandshake();
        } finally {
            TlsSockets.close(tls);
        }
    }

    /**
     * The challenge certificates' key, made at the first challenge. RSA because acme4j signs
     * challenge certificates with SHA256withRSA; nothing but the CA's validation ever sees it.
     */
    private synchronized KeyPair keys() {
        if (keys == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                keys = generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot make RSA keys", e);
            }
        }
        return keys;
    }

    /** The challenge certificate for {@code name}, made once per validation value. */
    private Optional<X509Certificate> certificateFor(String name) {
        Optional<byte[]> validation = state.tlsAlpn01(name);
        if (validation.isEmpty()) {
            served.remove(name);
            return Optional.empty();
        }
        Served current = served.get(name);
        if (current == null || !Arrays.equals(current.validation(), validation.get())) {
            try {
                current = new Served(validation.get(),
                        CertificateUtils.createTlsAlpn01Certificate(keys(), Identifier.dns(name), validation.get()));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
            served.put(name, current);
        }
        return Optional.of(current.certificate());
    }

    private static Optional<String> requestedName(SSLSession handshake) {
        if (handshake instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return Optional.of(host.getAsciiName().toLowerCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /** Picks the challenge certificate by SNI; the alias is the name itself. */
    private final class ChallengeKeyManager extends X509ExtendedKeyManager {

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return socket instanceof SSLSocket tls ? alias(keyType, tls.getHandshakeSession()) : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType, engine.getHandshakeSession());
        }

        private String alias(String keyType, SSLSession handshake) {
            if (!"RSA".equals(keyType)) {
                return null;
            }
            return requestedName(handshake).filter(name -> certificateFor(name).isPresent()).orElse(null);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return certificateFor(alias).map(c -> new X509Certificate[] {c}).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys().getPrivate();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
