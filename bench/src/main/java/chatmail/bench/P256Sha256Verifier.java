package chatmail.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * Verifies DER-encoded SHA256withECDSA signatures by P-256 keys: the JDK's SHA-256 for the
 * digest, Bouncy Castle's ECDSA for the check. Verification only, see {@link P256VerifyProvider}.
 */
final class P256Sha256Verifier extends SignatureSpi {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(CURVE);
    private static final ECParameterSpec JDK_P256 = jdkP256();
    /**
     * Converted keys by point: every handshake of the generator verifies the same relay key,
     * and Bouncy Castle keeps the key point's precomputed multiples with the point.
     */
    private static final Map<ECPoint, ECPublicKeyParameters> KEYS = new ConcurrentHashMap<>();
    private static final int MAX_KEYS = 64;

    private final MessageDigest digest;
    private ECPublicKeyParameters key;

    P256Sha256Verifier() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static ECParameterSpec jdkP256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    static boolean isP256(ECParameterSpec params) {
        return params != null && params.getCurve().equals(JDK_P256.getCurve())
                && params.getGenerator().equals(JDK_P256.getGenerator())
                && params.getOrder().equals(JDK_P256.getOrder()) && params.getCofactor() == JDK_P256.getCofactor();
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
        if (!(publicKey instanceof ECPublicKey ec) || !isP256(ec.getParams())) {
            throw new InvalidKeyException("only P-256 public keys here");
        }
        ECPublicKeyParameters converted = KEYS.get(ec.getW());
        if (converted == null) {
            try {
                converted = new ECPublicKeyParameters(
                        DOMAIN.getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY()), DOMAIN);
            } catch (IllegalArgumentException notOnTheCurve) {
                throw new InvalidKeyException("not a P-256 point", notOnTheCurve);
            }
            if (KEYS.size() >= MAX_KEYS) {
                KEYS.clear();
            }
            KEYS.put(ec.getW(), converted);
        }
        key = converted;
        digest.reset();
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
        throw new InvalidKeyException("verification only: signing is left to the next provider");
    }

    @Override
    protected void engineUpdate(byte b) {
        digest.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
        digest.update(b, off, len);
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        digest.update(input);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        throw new SignatureException("verification only");
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
        if (key == null) {
            throw new SignatureException("not initialized for verification");
        }
        BigInteger[] rs;
        try {
            rs = StandardDSAEncoding.INSTANCE.decode(CURVE.getN(), signature);
        } catch (IOException | IllegalArgumentException e) {
            throw new SignatureException("not a DER ECDSA signature", e);
        }
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, key);
        return verifier.verifySignature(digest.digest(), rs[0], rs[1]);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
        throw new InvalidParameterException("no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
        throw new InvalidParameterException("no parameters");
    }
}
