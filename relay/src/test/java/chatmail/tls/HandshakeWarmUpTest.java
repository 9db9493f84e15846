package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.testing.TestCa;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The in-memory handshake of the start-up warm-up is a real one: it completes, or fails as a socket's would. */
class HandshakeWarmUpTest {

    @Test
    void aClientThatTrustsTheCertificateCompletesTheHandshake() throws Exception {
        TestCa ca = TestCa.create("warm-up CA");
        SSLContext server = ca.issue("warm.test").serverContext();
        assertThat(HandshakeWarmUp.handshake(server, trusting(ca), "warm.test")).isEqualTo("TLSv1.3");
    }

    @Test
    void aClientThatDoesNotTrustItFailsAsOnASocket() throws Exception {
        TestCa ca = TestCa.create("warm-up CA");
        SSLContext server = ca.issue("warm.test").serverContext();
        assertThatThrownBy(() -> HandshakeWarmUp.handshake(server, trusting(TestCa.create("another CA")), "warm.test"))
                .isInstanceOf(SSLHandshakeException.class);
    }

    private static SSLContext trusting(TestCa ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
