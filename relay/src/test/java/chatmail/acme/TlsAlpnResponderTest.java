package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.smtp.TrustAllTls;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 8737: the challenge handshake, as a CA's validation client sees it. */
class TlsAlpnResponderTest {

    @TempDir
    Path dir;

    @Test
    void aPendingChallengeIsAnsweredWithACertificateCarryingItsValidationForTheRequestedName() throws Exception {
        FileAcmeState state = new FileAcmeState(dir);
        byte[] validation = new byte[32];
        Arrays.fill(validation, (byte) 7);
        state.publish(new PendingChallenge.TlsAlpn01("chat.example", validation));

        X509Certificate certificate = handshake(new TlsAlpnResponder(state), "Chat.Example");

        assertThat(certificate.getSubjectAlternativeNames()).containsExactly(List.of(2, "chat.example"));
        byte[] extension = certificate.getExtensionValue("1.3.6.1.5.5.7.1.31");
        assertThat(certificate.getCriticalExtensionOIDs()).contains("1.3.6.1.5.5.7.1.31");
        byte[] inner = ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getOctets();
        assertThat(inner).isEqualTo(validation);
    }

    @Test
    void aNameWithoutPendingChallengeGetsNoCertificate() throws Exception {
        FileAcmeState state = new FileAcmeState(dir);
        state.publish(new PendingChallenge.TlsAlpn01("chat.example", new byte[32]));
        TlsAlpnResponder responder = new TlsAlpnResponder(state);

        assertThatThrownBy(() -> handshake(responder, "other.example")).isInstanceOf(SSLException.class);
        state.withdraw(new PendingChallenge.TlsAlpn01("chat.example", new byte[32]));
        assertThatThrownBy(() -> handshake(responder, "chat.example")).isInstanceOf(SSLException.class);
    }

    /** One connection: the responder answers the server side, a trust-all client asks as a CA does. */
    private static X509Certificate handshake(TlsAlpnResponder responder, String name) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try (Socket accepted = server.accept()) {
                    responder.answer(accepted, new ByteArrayInputStream(new byte[0]));
                } catch (Exception e) {
                    // the client sees the failed handshake
                }
            });
            try (SSLSocket client = (SSLSocket) TrustAllTls.socketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                client.setSoTimeout(20_000);
                SSLParameters parameters = client.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(name)));
                parameters.setApplicationProtocols(new String[] {"acme-tls/1"});
                client.setSSLParameters(parameters);
                client.startHandshake();
                assertThat(client.getApplicationProtocol()).isEqualTo("acme-tls/1");
                return (X509Certificate) client.getSession().getPeerCertificates()[0];
            } finally {
                answered.get(30, TimeUnit.SECONDS);
            }
        }
    }

}
