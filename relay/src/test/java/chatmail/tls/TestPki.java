package chatmail.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
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

/** Certificates for tests: a CA, leaves it signs, and writing them where a relay reads them. */
final class TestPki {
    private static final AtomicLong serials = new AtomicLong(1000);

    private TestPki() {
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static KeyMaterial certificateAuthority(String name) throws Exception {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serials.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new KeyMaterial(keys.getPrivate(), List.of(sign(builder, keys.getPrivate(), "SHA256withECDSA")));
    }

    /** A server certificate for {@code dnsName}, signed by {@code issuer}, or self-signed when issuer is null. */
    static KeyMaterial leaf(String dnsName, KeyMaterial issuer, KeyPair keys) throws Exception {
        X500Name subject = new X500Name("CN=" + dnsName);
        X500Name issuerName = issuer == null ? subject
                : X500Name.getInstance(issuer.leaf().getSubjectX500Principal().getEncoded());
        var builder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(serials.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                subject, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        var signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
        String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate certificate = sign(builder, signingKey, algorithm);
        List<X509Certificate> chain = issuer == null ? List.of(certificate) : List.of(certificate, issuer.leaf());
        return new KeyMaterial(keys.getPrivate(), chain);
    }

    static KeyMaterial selfSignedLeaf(String dnsName) throws Exception {
        return leaf(dnsName, null, ecKeys());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, java.security.PrivateKey key,
            String algorithm) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
    }

    /** Replaces a file the way deployment tools do: write elsewhere, then rename into place. */
    static void replace(Path target, String content) throws Exception {
        Path temporary = Files.createTempFile(target.getParent(), "replace", ".tmp");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeMaterial(KeyMaterial material, Path certificateFile, Path keyFile) throws Exception {
        replace(certificateFile, PemFiles.toPem(material.chain().toArray()));
        replace(keyFile, PemFiles.toPem(material.privateKey()));
    }
}
