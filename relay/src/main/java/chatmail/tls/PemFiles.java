package chatmail.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Reads and writes PEM: certificate chains and unencrypted private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}) or the OpenSSL traditional forms ({@code BEGIN RSA PRIVATE KEY},
 * {@code BEGIN EC PRIVATE KEY}). Parsing only; no file watching or policy here.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** All certificates in the file, in file order (leaf first for a chain file). */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return readCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static List<X509Certificate> readCertificates(String pem) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = readObject(parser)) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (CertificateException e) {
            throw new IOException("unreadable certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException("no PEM certificate found");
        }
        return certificates;
    }

    /** The first private key in the file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static PrivateKey readPrivateKey(String pem) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = readObject(parser)) != null) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            }
        }
        throw new IOException("no unencrypted PEM private key found");
    }

    /** The first public key ({@code BEGIN PUBLIC KEY}) in the text. */
    public static PublicKey readPublicKey(String pem) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = readObject(parser)) != null) {
                if (object instanceof SubjectPublicKeyInfo info) {
                    return converter.getPublicKey(info);
                }
            }
        }
        throw new IOException("no PEM public key found");
    }

    /** Certificate chain and private key from two files, checked to belong together. */
    public static KeyMaterial readKeyMaterial(Path certificateFile, Path keyFile) throws IOException {
        KeyMaterial material = new KeyMaterial(readPrivateKey(keyFile), readCertificates(certificateFile));
        try {
            material.checkKeyMatchesCertificate();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
        return material;
    }

    /** PEM text of the given certificates and keys; private keys as PKCS#8. */
    public static String toPem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                if (object instanceof PrivateKey key) {
                    // PKCS#8 ("BEGIN PRIVATE KEY") is what every TLS server reads.
                    writer.writeObject(new JcaPKCS8Generator(key, null));
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    private static Object readObject(PEMParser parser) throws IOException {
        try {
            return parser.readObject();
        } catch (RuntimeException e) {
            // BC reports malformed base64 or DER as unchecked exceptions.
            throw new IOException("malformed PEM: " + e.getMessage(), e);
        }
    }
}
