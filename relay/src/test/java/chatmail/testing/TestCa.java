package chatmail.testing;

import chatmail.tls.PemFiles;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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
 * A certificate authority for tests: signs server certificates (for DNS names or an IP address)
 * that the relay verifies once the CA is its trusted_ca_file, for outbound mail, federation and
 * push notifications alike.
 */
public final class TestCa {
    private static final AtomicLong serials = new AtomicLong(5000);

    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCa(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    public static TestCa create(String name) throws Exception {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serials.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new TestCa(keys, sign(builder, keys.getPrivate()));
    }

    /** A server certificate for these DNS names. */
    public Leaf issue(String... dnsNames) throws Exception {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return issue(dnsNames[0], names);
    }

    /** A server certificate that names only {@code ipAddress}, for a server reached by address. */
    public Leaf issueForIp(String ipAddress) throws Exception {
        return issue(ipAddress, new GeneralName(GeneralName.iPAddress, ipAddress));
    }

    private Leaf issue(String commonName, GeneralName... names) throws Exception {
        KeyPair leafKeys = ecKeys();
        var builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(serials.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
                new X500Name("CN=" + commonName), leafKeys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return new Leaf(leafKeys.getPrivate(), sign(builder, keys.getPrivate()), certificate);
    }

    /** The CA's own certificate, for a client that trusts only this CA. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes the CA certificate as PEM (for trusted_ca_file). */
    public Path writeCertificate(Path file) throws Exception {
        Files.writeString(file, PemFiles.toPem(certificate), StandardCharsets.US_ASCII);
        return file;
    }

    public record Leaf(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
        /** Writes chain and key as PEM files, as tls_external_cert_and_key reads them. */
        public void write(Path chainFile, Path keyFile) throws Exception {
            Files.writeString(chainFile, PemFiles.toPem(certificate, issuer), StandardCharsets.US_ASCII);
            Files.writeString(keyFile, PemFiles.toPem(key), StandardCharsets.US_ASCII);
        }

        /** A server context presenting this certificate with its issuer. */
        public SSLContext serverContext() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, new char[0], new X509Certificate[] {certificate, issuer});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        }
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }
}
