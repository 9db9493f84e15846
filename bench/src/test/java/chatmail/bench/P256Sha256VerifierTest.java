package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class P256Sha256VerifierTest {
    private static final byte[] DATA = "TLS 1.3, server CertificateVerify".getBytes(StandardCharsets.US_ASCII);
    private static Provider sunEc;

    @BeforeAll
    static void install() {
        P256VerifyProvider.install();
        sunEc = Security.getProvider("SunEC");
    }

    @Test
    void verifiesWhatSunEcSignedAndJcaPicksIt() throws Exception {
        KeyPair keys = keys("secp256r1");
        for (int i = 0; i < 20; i++) {
            byte[] data = (i + " " + new String(DATA, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            byte[] signature = sign(keys, data);
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(keys.getPublic());
            verifier.update(data);
            assertThat(verifier.verify(signature)).isTrue();
            assertThat(verifier.getProvider().getName()).isEqualTo(P256VerifyProvider.NAME);
        }
    }

    @Test
    void refusesOtherDataAndOtherKeys() throws Exception {
        KeyPair keys = keys("secp256r1");
        byte[] signature = sign(keys, DATA);
        byte[] changed = DATA.clone();
        changed[0] ^= 1;
        assertThat(verify(keys, changed, signature)).isFalse();
        assertThat(verify(keys("secp256r1"), DATA, signature)).isFalse();
        assertThat(verify(keys, DATA, signature)).isTrue();
    }

    @Test
    void malformedSignaturesThrow() throws Exception {
        KeyPair keys = keys("secp256r1");
        byte[] signature = sign(keys, DATA);
        byte[] truncated = java.util.Arrays.copyOf(signature, signature.length - 1);
        assertThatThrownBy(() -> verify(keys, DATA, truncated)).isInstanceOf(SignatureException.class);
    }

    @Test
    void signingAndOtherCurvesStayWithSunEc() throws Exception {
        KeyPair p256 = keys("secp256r1");
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(p256.getPrivate());
        signer.update(DATA);
        byte[] signature = signer.sign();
        assertThat(signer.getProvider()).isSameAs(sunEc);
        assertThat(verify(p256, DATA, signature)).isTrue();

        KeyPair p384 = keys("secp384r1");
        byte[] other = sign(p384, DATA);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(p384.getPublic());
        verifier.update(DATA);
        assertThat(verifier.verify(other)).isTrue();
        assertThat(verifier.getProvider()).isSameAs(sunEc);
    }

    private static KeyPair keys(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", sunEc);
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static byte[] sign(KeyPair keys, byte[] data) throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSA", sunEc);
        signer.initSign(keys.getPrivate());
        signer.update(data);
        return signer.sign();
    }

    private static boolean verify(KeyPair keys, byte[] data, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keys.getPublic());
        verifier.update(data);
        boolean valid = verifier.verify(signature);
        assertThat(verifier.getProvider().getName()).isEqualTo(P256VerifyProvider.NAME);
        return valid;
    }
}
