package chatmail.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Reads and writes PEM: certificate chains, public keys ({@code BEGIN PUBLIC KEY}) and
 * unencrypted private keys in PKCS#8 ({@code BEGIN PRIVATE KEY}) or the OpenSSL traditional forms ({@code BEGIN RSA PRIVATE KEY},
 * {@code BEGIN EC PRIVATE KEY}). Parsing only; no file watching or policy here.
 *
 * <p>What the JDK reads and writes alone (certificates, PKCS#8 keys: every file this relay
 * writes) never touches Bouncy Castle; only other forms are read by {@link BouncyCastlePem}.
 * Bouncy Castle's jars are signed, so loading them means verifying them, and their classes
 * cannot be in the AOT cache: a start that reads its own files pays for neither
 * (docs/decisions.md, "Start-up and memory").
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** All certificates in the file, in file order (leaf first for a chain file). */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return readCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static List<X509Certificate> readCertificates(String pem) throws IOException {
        List<X509Certificate> plain = JdkPem.certificates(pem);
        return plain != null ? plain : BouncyCastlePem.readCertificates(pem);
    }

    /** The first private key in the file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static PrivateKey readPrivateKey(String pem) throws IOException {
        PrivateKey plain = JdkPem.privateKey(pem);
        return plain != null ? plain : BouncyCastlePem.readPrivateKey(pem);
    }

    /** The first public key ({@code BEGIN PUBLIC KEY}) in the text. */
    public static PublicKey readPublicKey(String pem) throws IOException {
        PublicKey plain = JdkPem.publicKey(pem);
        return plain != null ? plain : BouncyCastlePem.readPublicKey(pem);
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

    /**
     * PEM text of the given certificates and keys; private keys as PKCS#8 ("BEGIN PRIVATE KEY",
     * what every TLS server reads).
     */
    public static String toPem(Object... objects) {
        StringBuilder out = new StringBuilder();
        for (Object object : objects) {
            switch (object) {
                case X509Certificate certificate -> {
                    try {
                        block(out, "CERTIFICATE", certificate.getEncoded());
                    } catch (CertificateEncodingException e) {
                        throw new IllegalArgumentException("a certificate that cannot be encoded", e);
                    }
                }
                case PrivateKey key when "PKCS#8".equals(key.getFormat()) -> block(out, "PRIVATE KEY", key.getEncoded());
                case PublicKey key when "X.509".equals(key.getFormat()) -> block(out, "PUBLIC KEY", key.getEncoded());
                default -> throw new IllegalArgumentException("cannot write " + object.getClass().getName() + " as PEM");
            }
        }
        return out.toString();
    }

    private static void block(StringBuilder out, String label, byte[] der) {
        out.append("-----BEGIN ").append(label).append("-----\n");
        out.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)).append('\n');
        out.append("-----END ").append(label).append("-----\n");
    }
}
