package chatmail.deltachat;

import chatmail.tls.PemFiles;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for two relays that must verify each other (DLV-2: relay to relay
 * TLS is verified unless the domain starts with "_" or is an IP literal).
 */
final class FederationCa {

    private static final AtomicLong SERIALS = new AtomicLong(7000);

    private final KeyPair keys;
    private final X509Certificate certificate;

    private FederationCa(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    static FederationCa create() throws Exception {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=deltachat federation test CA");
        var b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                subject, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new FederationCa(keys, sign(b, keys.getPrivate()));
    }

    /** Writes the CA certificate (for trusted_ca_file). */
    Path writeCertificate(Path file) throws Exception {
        Files.writeString(file, PemFiles.toPem(certificate), StandardCharsets.US_ASCII);
        return file;
    }

    /** Issues a server certificate for {@code domain} and writes chain and key (tls_cert/key files). */
    void issue(String domain, Path chainFile, Path keyFile) throws Exception {
        KeyPair leaf = ecKeys();
        var b = new JcaX509v3CertificateBuilder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                new X500Name("CN=" + domain), leaf.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, domain)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate cert = sign(b, keys.getPrivate());
        Files.writeString(chainFile, PemFiles.toPem(cert, certificate), StandardCharsets.US_ASCII);
        Files.writeString(keyFile, PemFiles.toPem(leaf.getPrivate()), StandardCharsets.US_ASCII);
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }
}
