package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;

/**
 * The JDK-only PEM reader must read what it claims exactly as Bouncy Castle does, and decline
 * (null) everything else, which then still reads through Bouncy Castle.
 */
class JdkPemTest {

    @Test
    void certificateChainsReadAsBouncyCastleReadsThem() throws Exception {
        KeyMaterial ca = TestPki.certificateAuthority("pem test CA");
        KeyMaterial leaf = TestPki.leaf("mail.example.org", ca, TestPki.ecKeys());
        String pem = PemFiles.toPem(leaf.leaf(), ca.leaf());

        assertThat(JdkPem.certificates(pem)).containsExactly(leaf.leaf(), ca.leaf());
        assertThat(PemFiles.readCertificates(pem)).containsExactly(leaf.leaf(), ca.leaf());
    }

    @Test
    void pkcs8KeysOfBothUsualAlgorithmsReadAsBouncyCastleReadsThem() throws Exception {
        for (KeyPair keys : List.of(TestPki.ecKeys(), TestPki.rsaKeys())) {
            String pem = PemFiles.toPem(keys.getPrivate());
            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");

            assertThat(JdkPem.privateKey(pem)).isNotNull();
            assertThat(JdkPem.privateKey(pem).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
            assertThat(JdkPem.privateKey(pem).getAlgorithm()).isEqualTo(keys.getPrivate().getAlgorithm());
        }
    }

    @Test
    void traditionalKeysAreLeftToBouncyCastleAndStillRead() throws Exception {
        KeyPair keys = TestPki.rsaKeys();
        String traditional = traditionalPem(keys);
        assertThat(traditional).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertThat(JdkPem.privateKey(traditional)).isNull();
        assertThat(PemFiles.readPrivateKey(traditional).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void aFileWithAKeyBesideTheCertificatesIsLeftToBouncyCastle() throws Exception {
        KeyMaterial self = TestPki.selfSignedLeaf("mail.example.org");
        String combined = PemFiles.toPem(self.privateKey(), self.leaf());

        assertThat(JdkPem.certificates(combined)).isNull();
        assertThat(PemFiles.readCertificates(combined)).containsExactly(self.leaf());
        assertThat(JdkPem.privateKey(combined).getEncoded()).isEqualTo(self.privateKey().getEncoded());
    }

    @Test
    void anAccountKeyFileWithBothHalvesReadsAsBouncyCastleWroteAndReadIt() throws Exception {
        for (KeyPair keys : List.of(TestPki.ecKeys(), TestPki.rsaKeys())) {
            String pem = PemFiles.toPem(keys.getPrivate(), keys.getPublic());
            assertThat(pem).contains("-----BEGIN PUBLIC KEY-----").isEqualTo(bouncyCastlePem(keys.getPrivate(), keys.getPublic()));

            assertThat(JdkPem.publicKey(pem)).isEqualTo(keys.getPublic());
            assertThat(BouncyCastlePem.readPublicKey(pem).getEncoded()).isEqualTo(keys.getPublic().getEncoded());
            assertThat(PemFiles.readPrivateKey(pem).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        }
        assertThat(JdkPem.publicKey(PemFiles.toPem(TestPki.ecKeys().getPrivate()))).isNull();
    }

    @Test
    void brokenTextIsDeclined() {
        assertThat(JdkPem.certificates("no pem here")).isNull();
        assertThat(JdkPem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n")).as("no END line").isNull();
        assertThat(JdkPem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).as("not DER").isNull();
        assertThat(JdkPem.privateKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")).isNull();
    }

    private static String bouncyCastlePem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object instanceof java.security.PrivateKey key
                        ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
            }
        }
        return out.toString();
    }

    private static String traditionalPem(KeyPair keys) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys);
        }
        return out.toString();
    }
}
