package chatmail.tls.x25519;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.SelfSignedCertificate;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class X25519ProviderTest {
    private static final HexFormat HEX = HexFormat.of();
    private static X25519Provider ours;
    private static Provider sunEc;

    @BeforeAll
    static void install() {
        ours = X25519Provider.install();
        sunEc = Security.getProvider("SunEC");
    }

    @Test
    void isFirstAndInstalledOnce() {
        assertThat(Security.getProviders()[0]).isSameAs(ours);
        assertThat(X25519Provider.install()).isSameAs(ours);
        assertThat(Security.getProviders()).filteredOn(p -> p.getName().equals(X25519Provider.NAME)).hasSize(1);
    }

    /** RFC 7748 section 5.2: the two single multiplications. */
    @Test
    void scalarMultiplicationVectors() throws Exception {
        assertThat(multiply("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assertThat(multiply("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))
                .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
    }

    /** RFC 7748 section 5.2: k and u start at 9; u becomes the old k, k the product. */
    @Test
    void iteratedVectors() throws Exception {
        String k = "0900000000000000000000000000000000000000000000000000000000000000";
        String u = k;
        for (int i = 1; i <= 1000; i++) {
            String product = multiply(k, u);
            u = k;
            k = product;
            if (i == 1) {
                assertThat(k).isEqualTo("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
            }
        }
        assertThat(k).isEqualTo("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    /** RFC 7748 section 6.1: both public keys from their private keys, and the shared secret both ways. */
    @Test
    void diffieHellmanVectors() throws Exception {
        String alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
        String bob = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
        String basePoint = "0900000000000000000000000000000000000000000000000000000000000000";
        String alicePublic = multiply(alice, basePoint);
        String bobPublic = multiply(bob, basePoint);
        assertThat(alicePublic).isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(bobPublic).isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(multiply(alice, bobPublic)).isEqualTo(shared);
        assertThat(multiply(bob, alicePublic)).isEqualTo(shared);
    }

    @Test
    void keyPairsAgreeWithSunEcBothWays() throws Exception {
        KeyPairGenerator ourPairs = KeyPairGenerator.getInstance("XDH", ours);
        ourPairs.initialize(NamedParameterSpec.X25519);
        KeyPairGenerator theirPairs = KeyPairGenerator.getInstance("XDH", sunEc);
        theirPairs.initialize(NamedParameterSpec.X25519);
        for (int i = 0; i < 50; i++) {
            KeyPair mine = ourPairs.generateKeyPair();
            KeyPair theirs = theirPairs.generateKeyPair();
            byte[] withOurs = agree(ours, mine.getPrivate(), theirs.getPublic());
            byte[] withSunEc = agree(sunEc, theirs.getPrivate(), mine.getPublic());
            assertThat(withOurs).hasSize(32).isEqualTo(withSunEc);
            assertThat(agree(sunEc, mine.getPrivate(), theirs.getPublic())).isEqualTo(withOurs);
            assertThat(agree(ours, theirs.getPrivate(), mine.getPublic())).isEqualTo(withOurs);
        }
    }

    @Test
    void publicKeyEncodingIsTheOneSunEcReads() throws Exception {
        KeyPairGenerator pairs = KeyPairGenerator.getInstance("X25519", ours);
        XECPublicKey mine = (XECPublicKey) pairs.generateKeyPair().getPublic();
        XECPublicKey read = (XECPublicKey) KeyFactory.getInstance("XDH", sunEc)
                .generatePublic(new X509EncodedKeySpec(mine.getEncoded()));
        assertThat(read.getU()).isEqualTo(mine.getU());
        assertThat(mine.getFormat()).isEqualTo("X.509");
        assertThat(mine.getAlgorithm()).isEqualTo("XDH");
        assertThat(mine.getParams()).isEqualTo(NamedParameterSpec.X25519);
    }

    @Test
    void privateKeyEncodingIsTheOneSunEcReads() throws Exception {
        KeyPairGenerator pairs = KeyPairGenerator.getInstance("X25519", ours);
        XECPrivateKey mine = (XECPrivateKey) pairs.generateKeyPair().getPrivate();
        XECPrivateKey read = (XECPrivateKey) KeyFactory.getInstance("XDH", sunEc)
                .generatePrivate(new PKCS8EncodedKeySpec(mine.getEncoded()));
        assertThat(read.getScalar().orElseThrow()).isEqualTo(mine.getScalar().orElseThrow());
        assertThat(mine.getFormat()).isEqualTo("PKCS#8");
        assertThat(mine.getAlgorithm()).isEqualTo("XDH");
        assertThat(mine.getParams()).isEqualTo(NamedParameterSpec.X25519);
    }

    /** RFC 7748 section 6.1: a point of small order gives the all-zero secret, which is refused. */
    @Test
    void smallOrderPointsAreRefused() throws Exception {
        PrivateKey mine = KeyPairGenerator.getInstance("XDH", ours).generateKeyPair().getPrivate();
        KeyFactory factory = KeyFactory.getInstance("XDH", ours);
        BigInteger p = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
        for (BigInteger u : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, p, p.add(BigInteger.ONE)}) {
            PublicKey small = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH", ours);
            agreement.init(mine);
            assertThatThrownBy(() -> agreement.doPhase(small, true)).isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void jcaPicksThisProviderForX25519() throws Exception {
        KeyPairGenerator pairs = KeyPairGenerator.getInstance("XDH");
        pairs.initialize(NamedParameterSpec.X25519);
        KeyPair pair = pairs.generateKeyPair();
        assertThat(pairs.getProvider()).isSameAs(ours);
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(pair.getPrivate());
        assertThat(agreement.getProvider()).isSameAs(ours);
        KeyFactory factory = KeyFactory.getInstance("XDH");
        factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
        assertThat(factory.getProvider()).isSameAs(ours);
    }

    @Test
    void x448AndEncodedKeysStillReachSunEc() throws Exception {
        KeyPairGenerator pairs = KeyPairGenerator.getInstance("XDH");
        pairs.initialize(NamedParameterSpec.X448);
        KeyPair alice = pairs.generateKeyPair();
        KeyPair bob = pairs.generateKeyPair();
        assertThat(pairs.getProvider()).isSameAs(sunEc);
        assertThat(((NamedParameterSpec) ((XECPublicKey) alice.getPublic()).getParams()).getName()).isEqualTo("X448");
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(alice.getPrivate());
        agreement.doPhase(bob.getPublic(), true);
        assertThat(agreement.getProvider()).isSameAs(sunEc);
        byte[] secret = agreement.generateSecret();
        assertThat(secret).hasSize(56).isEqualTo(agree(sunEc, bob.getPrivate(), alice.getPublic()));
        KeyFactory factory = KeyFactory.getInstance("XDH");
        PublicKey decoded = factory.generatePublic(new X509EncodedKeySpec(alice.getPublic().getEncoded()));
        assertThat(factory.getProvider()).isSameAs(sunEc);
        assertThat(decoded).isEqualTo(alice.getPublic());
        KeyPairGenerator bySize = KeyPairGenerator.getInstance("XDH");
        bySize.initialize(448);
        assertThat(((XECPublicKey) bySize.generateKeyPair().getPublic()).getU().bitLength()).isLessThanOrEqualTo(448);
        assertThat(bySize.getProvider()).isSameAs(sunEc);
        PrivateKey x448Private = KeyFactory.getInstance("XDH").generatePrivate(new XECPrivateKeySpec(
                NamedParameterSpec.X448, new byte[56]));
        assertThat(((NamedParameterSpec) ((XECPrivateKey) x448Private).getParams()).getName()).isEqualTo("X448");
    }

    /** A JSSE client and server on loopback that may only use x25519: the handshake runs through this provider. */
    @Test
    void tls13HandshakeOverLoopbackUsesThisProvider() throws Exception {
        KeyMaterial key = SelfSignedCertificate.generate("x25519.localhost",
                new CertificateNames(Set.of("x25519.localhost"), Set.of()), Clock.systemUTC());
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", key.privateKey(), password, key.chain().toArray(new Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
        keyManagers.init(keys, password);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keyManagers.getKeyManagers(), new TrustManager[0], null);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", key.leaf());
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);

        long keyPairs = ours.keyPairs();
        long agreements = ours.agreements();
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSSLParameters(x25519Only(listener.getSSLParameters()));
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    InputStream in = accepted.getInputStream();
                    int read = in.read();
                    accepted.getOutputStream().write(read + 1);
                    accepted.getOutputStream().flush();
                    return read;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                    .createSocket(listener.getInetAddress(), listener.getLocalPort())) {
                socket.setSSLParameters(x25519Only(socket.getSSLParameters()));
                OutputStream out = socket.getOutputStream();
                out.write(41);
                out.flush();
                assertThat(socket.getInputStream().read()).isEqualTo(42);
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
            assertThat(served.get(30, TimeUnit.SECONDS)).isEqualTo(41);
        }
        // One key pair and one agreement on each side; other tests may add theirs meanwhile.
        assertThat(ours.keyPairs() - keyPairs).isGreaterThanOrEqualTo(2);
        assertThat(ours.agreements() - agreements).isGreaterThanOrEqualTo(2);
    }

    private static SSLParameters x25519Only(SSLParameters parameters) {
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setNamedGroups(new String[] {"x25519"});
        return parameters;
    }

    /** X25519(k, u) through this provider, both in RFC 7748's hex (u's top bit masked, as the RFC decodes it). */
    private static String multiply(String scalarHex, String uHex) throws Exception {
        byte[] uBytes = HEX.parseHex(uHex);
        uBytes[31] &= 0x7f;
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            bigEndian[i] = uBytes[31 - i];
        }
        KeyFactory factory = KeyFactory.getInstance("XDH", ours);
        PrivateKey k = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, HEX.parseHex(scalarHex)));
        PublicKey u = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
        return HEX.formatHex(agree(ours, k, u));
    }

    private static byte[] agree(Provider provider, PrivateKey mine, PublicKey theirs) throws Exception {
        KeyAgreement agreement = KeyAgreement.getInstance("XDH", provider);
        agreement.init(mine);
        agreement.doPhase(theirs, true);
        return agreement.generateSecret();
    }
}
