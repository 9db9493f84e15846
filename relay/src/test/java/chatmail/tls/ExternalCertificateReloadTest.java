package chatmail.tls;

import chatmail.testing.MutableClock;
import static chatmail.tls.TlsTestConnections.LOOPBACK_ANY_PORT;
import static chatmail.tls.TlsTestConnections.serverCertificateSeenBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalCertificateReloadTest {
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    @TempDir
    Path directory;
    Path certificateFile;
    Path keyFile;
    final MutableClock clock = new MutableClock(Instant.now());
    KeyMaterial certificateA;
    TlsContexts tls;
    SSLServerSocket server;

    @BeforeEach
    void serveCertificateA() throws Exception {
        certificateFile = directory.resolve("fullchain.pem");
        keyFile = directory.resolve("privkey.pem");
        certificateA = TestPki.selfSignedLeaf("a.chatmail.example");
        TestPki.writeMaterial(certificateA, certificateFile, keyFile);
        tls = TlsContexts.create(config(), clock, CHECK_INTERVAL);
        server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10);
        TlsTestConnections.handshakeEveryConnection(server);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Config config() {
        Config.Builder builder = Config.builder("chatmail.example");
        builder.dataDir = directory.resolve("data");
        builder.tlsCertFile = certificateFile;
        builder.tlsKeyFile = keyFile;
        return builder.build();
    }

    private int port() {
        return server.getLocalPort();
    }

    @Test
    void newConnectionsGetTheReplacedCertificate() throws Exception {
        assertThat(serverCertificateSeenBy(port())).isEqualTo(certificateA.leaf());
        KeyMaterial certificateB = TestPki.selfSignedLeaf("b.chatmail.example");

        TestPki.writeMaterial(certificateB, certificateFile, keyFile);
        clock.advance(CHECK_INTERVAL.plusMillis(1));

        assertThat(awaitServedCertificate(certificateB.leaf())).isEqualTo(certificateB.leaf());
        assertThat(tls.currentCertificate()).isEqualTo(certificateB.leaf());
    }

    @Test
    void filesAreNotLookedAtMoreThanOncePerInterval() throws Exception {
        KeyMaterial certificateB = TestPki.selfSignedLeaf("b.chatmail.example");

        TestPki.writeMaterial(certificateB, certificateFile, keyFile);

        assertThat(serverCertificateSeenBy(port())).as("clock not advanced yet").isEqualTo(certificateA.leaf());
        clock.advance(CHECK_INTERVAL);
        assertThat(awaitServedCertificate(certificateB.leaf())).isEqualTo(certificateB.leaf());
    }

    @Test
    void brokenReplacementKeepsServingThePreviousCertificate() throws Exception {
        TestPki.replace(certificateFile, "-----BEGIN CERTIFICATE-----\nhalf written\n");
        clock.advance(CHECK_INTERVAL);

        assertThat(serverCertificateSeenBy(port())).isEqualTo(certificateA.leaf());
        clock.advance(CHECK_INTERVAL);
        assertThat(serverCertificateSeenBy(port())).isEqualTo(certificateA.leaf());

        KeyMaterial certificateB = TestPki.selfSignedLeaf("b.chatmail.example");
        TestPki.writeMaterial(certificateB, certificateFile, keyFile);
        clock.advance(CHECK_INTERVAL);
        assertThat(awaitServedCertificate(certificateB.leaf())).as("recovers once the files are whole")
                .isEqualTo(certificateB.leaf());
    }

    @Test
    void certificateWhoseKeyIsNotYetReplacedIsNotServed() throws Exception {
        KeyMaterial certificateB = TestPki.selfSignedLeaf("b.chatmail.example");

        TestPki.replace(certificateFile, PemFiles.toPem(certificateB.leaf()));
        clock.advance(CHECK_INTERVAL);

        assertThat(serverCertificateSeenBy(port())).isEqualTo(certificateA.leaf());
        TestPki.replace(keyFile, PemFiles.toPem(certificateB.privateKey()));
        clock.advance(CHECK_INTERVAL);
        assertThat(awaitServedCertificate(certificateB.leaf())).isEqualTo(certificateB.leaf());
    }

    @Test
    void rsaCertificateInTraditionalPemWithChainIsServed() throws Exception {
        KeyMaterial ca = TestPki.certificateAuthority("Test CA");
        KeyMaterial rsa = TestPki.leaf("rsa.chatmail.example", ca, TestPki.rsaKeys());
        TestPki.replace(certificateFile, PemFiles.toPem(rsa.chain().toArray()));
        TestPki.replace(keyFile, traditionalPem(rsa));
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        clock.advance(CHECK_INTERVAL);

        assertThat(awaitServedCertificate(rsa.leaf())).isEqualTo(rsa.leaf());
        try (SSLServerSocket mx = tls.bindImplicit(TlsPolicy.MX, LOOPBACK_ANY_PORT, 10)) {
            TlsTestConnections.handshakeEveryConnection(mx);
            SSLSocket tls12 = TlsTestConnections.connectTrustingAll(mx.getLocalPort(), List.of("TLSv1.2"), List.of());
            try {
                assertThat(tls12.getSession().getCipherSuite()).startsWith("TLS_ECDHE_RSA_");
                assertThat(tls12.getSession().getPeerCertificates()).containsExactly(rsa.leaf(), ca.leaf());
            } finally {
                TlsSockets.close(tls12);
            }
        }
    }

    @Test
    void ecKeyInTraditionalPemIsServed() throws Exception {
        KeyMaterial ec = TestPki.selfSignedLeaf("ec.chatmail.example");
        TestPki.replace(certificateFile, PemFiles.toPem(ec.leaf()));
        TestPki.replace(keyFile, traditionalPem(ec));
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        clock.advance(CHECK_INTERVAL);

        assertThat(awaitServedCertificate(ec.leaf())).isEqualTo(ec.leaf());
    }

    @Test
    void unreadableFilesAtStartUpStopTheStart() throws Exception {
        Files.writeString(certificateFile, "not a certificate");

        assertThatThrownBy(() -> TlsContexts.create(config(), clock, CHECK_INTERVAL))
                .isInstanceOf(TlsConfigurationException.class)
                .hasMessageContaining("tls_external_cert_and_key")
                .hasMessageContaining(certificateFile.toString());
    }

    /** "BEGIN RSA PRIVATE KEY" or, as OpenSSL writes it with the curve named, "BEGIN EC PRIVATE KEY". */
    private static String traditionalPem(KeyMaterial material) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (material.privateKey().getAlgorithm().equals("EC")) {
                PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(material.privateKey().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
                var curve = pkcs8.getPrivateKeyAlgorithm().getParameters();
                var publicKey = new DERBitString(
                        SubjectPublicKeyInfo.getInstance(material.leaf().getPublicKey().getEncoded()).getPublicKeyData().getBytes());
                ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), publicKey, curve);
                writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                writer.writeObject(material.privateKey());
            }
        }
        return out.toString();
    }

    /** New connections until one is served {@code expected} or ten seconds pass. */
    private X509Certificate awaitServedCertificate(X509Certificate expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        X509Certificate seen;
        do {
            seen = serverCertificateSeenBy(port());
        } while (!seen.equals(expected) && Instant.now().isBefore(deadline));
        return seen;
    }
}
