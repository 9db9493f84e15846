package chatmail.tls;

import static chatmail.tls.TlsTestConnections.LOOPBACK_ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboundContextTest {
    private static final String MX_NAME = "mx.remote.example";

    @TempDir
    Path directory;
    KeyMaterial testCa;
    Path caFile;
    SSLServerSocket caSignedServer;
    SSLServerSocket selfSignedServer;

    @BeforeEach
    void startServers() throws Exception {
        testCa = TestPki.certificateAuthority("chatmail test CA");
        caFile = directory.resolve("ca.pem");
        Files.writeString(caFile, PemFiles.toPem(testCa.leaf()));

        KeyMaterial mxCertificate = TestPki.leaf(MX_NAME, testCa, TestPki.ecKeys());
        Config.Builder remote = Config.builder("remote.example");
        remote.dataDir = directory.resolve("remote");
        remote.tlsCertFile = directory.resolve("mx-chain.pem");
        remote.tlsKeyFile = directory.resolve("mx-key.pem");
        TestPki.writeMaterial(mxCertificate, remote.tlsCertFile, remote.tlsKeyFile);
        caSignedServer = TlsContexts.create(remote.build()).bindImplicit(TlsPolicy.MX, LOOPBACK_ANY_PORT, 10);
        TlsTestConnections.handshakeEveryConnection(caSignedServer);

        Config.Builder selfSigned = Config.builder("_remote.example");
        selfSigned.dataDir = directory.resolve("self-signed");
        selfSignedServer = TlsContexts.create(selfSigned.build()).bindImplicit(TlsPolicy.MX, LOOPBACK_ANY_PORT, 10);
        TlsTestConnections.handshakeEveryConnection(selfSignedServer);
    }

    @AfterEach
    void stopServers() throws Exception {
        caSignedServer.close();
        selfSignedServer.close();
    }

    private TlsContexts relay(Path trustedCaFile) {
        Config.Builder builder = Config.builder("chatmail.localhost");
        builder.dataDir = directory.resolve("relay");
        builder.trustedCaFile = trustedCaFile;
        return TlsContexts.create(builder.build());
    }

    /** Connects to 127.0.0.1 while verifying the server as {@code hostname}, as delivery to an MX does. */
    private static SSLSocket connect(TlsContexts tls, SSLContext context, int port, String hostname) throws Exception {
        Socket plain = new Socket("127.0.0.1", port);
        plain.setSoTimeout(10_000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, hostname, port, true);
        socket.setSSLParameters(tls.outboundParameters(hostname));
        try {
            socket.startHandshake();
        } catch (Exception e) {
            TlsSockets.close(socket);
            throw e;
        }
        return socket;
    }

    @Test
    void serverSignedByATrustedCaFileCaIsAccepted() throws Exception {
        TlsContexts tls = relay(caFile);

        SSLSocket socket = connect(tls, tls.outboundContext(), caSignedServer.getLocalPort(), MX_NAME);
        try {
            assertThat(socket.getSession().getPeerCertificates()).contains(testCa.leaf());
            assertThat(socket.getSession().getPeerPrincipal().getName()).isEqualTo("CN=" + MX_NAME);
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        } finally {
            TlsSockets.close(socket);
        }
    }

    @Test
    void hostnameIsVerified() {
        TlsContexts tls = relay(caFile);

        assertThatThrownBy(() -> connect(tls, tls.outboundContext(), caSignedServer.getLocalPort(), "other.remote.example"))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void caNotInTrustedCaFileIsRejected() {
        TlsContexts tls = relay(null);

        assertThatThrownBy(() -> connect(tls, tls.outboundContext(), caSignedServer.getLocalPort(), MX_NAME))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void untrustedSelfSignedServerIsRejected() {
        TlsContexts tls = relay(caFile);

        assertThatThrownBy(() -> connect(tls, tls.outboundContext(), selfSignedServer.getLocalPort(), "_remote.example"))
                .isInstanceOf(SSLHandshakeException.class);
    }

    /** The warm-up's check of the relay's own chain, trusted or not, changes nothing a delivery then sees. */
    @Test
    void warmingUpTheTrustKeepsVerificationAsItWas() throws Exception {
        TlsContexts untrusted = relay(caFile);
        untrusted.warmUpOutboundTrust();
        assertThatThrownBy(() -> connect(untrusted, untrusted.outboundContext(), selfSignedServer.getLocalPort(), "_remote.example"))
                .isInstanceOf(SSLHandshakeException.class);
        TlsSockets.close(connect(untrusted, untrusted.outboundContext(), caSignedServer.getLocalPort(), MX_NAME));

        // A relay that trusts its own (self-signed) certificate, as two test relays trusting each other do.
        Path own = directory.resolve("own.pem");
        Files.writeString(own, PemFiles.toPem(untrusted.currentCertificate()));
        TlsContexts trusted = relay(own);
        trusted.warmUpOutboundTrust();
        assertThatThrownBy(() -> connect(trusted, trusted.outboundContext(), caSignedServer.getLocalPort(), MX_NAME))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void insecureContextAcceptsASelfSignedServerUnderAnyName() throws Exception {
        TlsContexts tls = relay(caFile);

        SSLSocket socket = connect(tls, tls.insecureOutboundContext(), selfSignedServer.getLocalPort(), "127.0.0.1");
        TlsSockets.close(socket);
        SSLSocket named = connect(tls, tls.insecureOutboundContext(), selfSignedServer.getLocalPort(), "_remote.example");
        TlsSockets.close(named);
    }

    @Test
    void systemCasStayTrustedAlongsideTheExtraOnes() throws Exception {
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        var systemCas = Arrays.asList(((X509TrustManager) system.getTrustManagers()[0]).getAcceptedIssuers());
        assertThat(systemCas).as("this JDK ships CA certificates").isNotEmpty();

        var trusted = Arrays.asList(((X509TrustManager) OutboundTrust.trustManagers(OutboundTrust.extraCas(caFile))[0]).getAcceptedIssuers());

        assertThat(trusted).containsAll(systemCas).contains(testCa.leaf());
    }

    @Test
    void unreadableTrustedCaFileStopsTheStart() throws Exception {
        Files.writeString(caFile, "garbage");

        assertThatThrownBy(() -> relay(caFile))
                .isInstanceOf(TlsConfigurationException.class)
                .hasMessageContaining("trusted_ca_file");
    }

    @Test
    void noSniForIpLiteralsAndUnderscoreNames() {
        TlsContexts tls = relay(null);

        assertThat(tls.outboundParameters("192.0.2.1").getServerNames()).isNullOrEmpty();
        assertThat(tls.outboundParameters("[2001:db8::1]").getServerNames()).isNullOrEmpty();
        assertThat(tls.outboundParameters("_remote.example").getServerNames()).isNullOrEmpty();
        assertThat(tls.outboundParameters(MX_NAME).getServerNames()).hasSize(1);
        assertThat(tls.outboundParameters(MX_NAME).getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }
}
