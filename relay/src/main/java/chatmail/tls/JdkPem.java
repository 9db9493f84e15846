package chatmail.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The PEM that the JDK can read by itself: X.509 certificates, unencrypted PKCS#8 private keys
 * and X.509 public keys of the usual algorithms. Each method answers null for anything else (another block
 * kind, an algorithm it does not know, text it cannot decode), and {@link PemFiles} then reads
 * the text with Bouncy Castle as before, so the result and its errors stay those of one reader.
 */
final class JdkPem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    /** Tried in turn: a PKCS#8 key names its algorithm, but only as an OID. */
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS");

    private record Block(String label, byte[] der) {}

    private JdkPem() {}

    /** Every certificate, in file order, when all blocks are certificates; else null. */
    static List<X509Certificate> certificates(String pem) {
        List<Block> blocks = blocks(pem);
        if (blocks == null || blocks.isEmpty()) {
            return null;
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks) {
                if (!b.label().equals("CERTIFICATE")) {
                    return null;
                }
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (CertificateException | ClassCastException e) {
            return null;
        }
        return certificates;
    }

    /** The key when the first private key in the text is an unencrypted PKCS#8 one the JDK reads; else null. */
    static PrivateKey privateKey(String pem) {
        List<Block> blocks = blocks(pem);
        if (blocks == null) {
            return null;
        }
        for (Block b : blocks) {
            if (b.label().equals("PRIVATE KEY")) {
                for (String algorithm : KEY_ALGORITHMS) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(b.der()));
                    } catch (GeneralSecurityException | RuntimeException notThisAlgorithm) {
                        // next
                    }
                }
                return null;
            }
            if (b.label().endsWith("PRIVATE KEY")) {
                return null; // a traditional or encrypted form: Bouncy Castle's
            }
        }
        return null;
    }

    /** The key when the first public key in the text is one the JDK reads; else null. */
    static PublicKey publicKey(String pem) {
        List<Block> blocks = blocks(pem);
        if (blocks == null) {
            return null;
        }
        for (Block b : blocks) {
            if (b.label().equals("PUBLIC KEY")) {
                for (String algorithm : KEY_ALGORITHMS) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(b.der()));
                    } catch (GeneralSecurityException | RuntimeException notThisAlgorithm) {
                        // next
                    }
                }
                return null;
            }
        }
        return null;
    }

    /** The blocks of the text; null when a block is not plain base64 between matching lines (headers included). */
    private static List<Block> blocks(String pem) {
        List<Block> blocks = new ArrayList<>();
        int at = 0;
        while (true) {
            int begin = pem.indexOf(BEGIN, at);
            if (begin < 0) {
                return blocks;
            }
            int labelEnd = pem.indexOf("-----", begin + BEGIN.length());
            if (labelEnd < 0) {
                return null;
            }
            String label = pem.substring(begin + BEGIN.length(), labelEnd);
            String endLine = END + label + "-----";
            int end = pem.indexOf(endLine, labelEnd);
            if (end < 0) {
                return null;
            }
            String body = pem.substring(labelEnd + 5, end);
            if (body.indexOf(':') >= 0) {
                return null; // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED"): not for the JDK
            }
            try {
                blocks.add(new Block(label, Base64.getMimeDecoder().decode(body.strip())));
            } catch (IllegalArgumentException e) {
                return null;
            }
            at = end + endLine.length();
        }
    }
}
