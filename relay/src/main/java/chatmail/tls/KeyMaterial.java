package chatmail.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;

/**
 * A private key and its certificate chain, leaf first: what a server presents in a handshake.
 */
public record KeyMaterial(PrivateKey privateKey, List<X509Certificate> chain) {

    public KeyMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /**
     * Proves that the private key belongs to the leaf certificate by signing and verifying,
     * so a half-replaced pair of files (new cert, old key) is never served.
     */
    public void checkKeyMatchesCertificate() throws GeneralSecurityException {
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature signer = signatureFor(privateKey.getAlgorithm());
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = signatureFor(privateKey.getAlgorithm());
        verifier.initVerify(leaf().getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("private key does not match the certificate");
        }
    }

    private static Signature signatureFor(String keyAlgorithm) throws GeneralSecurityException {
        return switch (keyAlgorithm) {
            case "EC", "ECDSA" -> Signature.getInstance("SHA256withECDSA");
            case "RSA" -> Signature.getInstance("SHA256withRSA");
            case "Ed25519", "Ed448", "EdDSA" -> Signature.getInstance(keyAlgorithm);
            case "RSASSA-PSS" -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                yield pss;
            }
            default -> throw new GeneralSecurityException("unsupported private key algorithm " + keyAlgorithm);
        };
    }
}
