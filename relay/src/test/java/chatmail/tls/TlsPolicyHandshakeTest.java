package chatmail.tls;

import static chatmail.tls.TlsTestConnections.LOOPBACK_ANY_PORT;
import static chatmail.tls.TlsTestConnections.connectTrustingAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsPolicyHandshakeTest {
    @TempDir
    Path dataDir;
    TlsContexts tls;

    private final List<java.net.Socket> toClose = new java.util.ArrayList<>();

    @AfterEach
    void closeConnections() {
        toClose.forEach(TlsSockets::close);
    }

    private <S extends java.net.Socket> S closedAfterTest(S socket) {
        toClose.add(socket);
        return socket;
    }

    @BeforeEach
    void createContexts() {
        Config.Builder builder = Config.builder("chatmail.localhost");
        builder.dataDir = dataDir;
        tls = TlsContexts.create(builder.build());
    }

    @Test
    void clientPortsRefuseTls12Clients() throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10)) {
            CompletableFuture<SSLSocket> accepted = TlsTestConnections.acceptOneHandshake(server);

            assertThatThrownBy(() -> connectTrustingAll(server.getLocalPort(), List.of("TLSv1.2"), List.of()))
                    .isInstanceOf(SSLException.class);
            assertThat(accepted).failsWithin(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientPortsSpeakTls13() throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10)) {
            CompletableFuture<SSLSocket> accepted = TlsTestConnections.acceptOneHandshake(server);

            SSLSocket client = closedAfterTest(connectTrustingAll(server.getLocalPort(), List.of("TLSv1.3", "TLSv1.2"), List.of()));
            SSLSocket serverSide = closedAfterTest(accepted.get(10, TimeUnit.SECONDS));
            assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(serverSide.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsPolicy.class, names = {"MX", "HTTPS"})
    void mxAndHttpsAcceptTls12WithForwardSecretAeadSuites(TlsPolicy policy) throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(policy, LOOPBACK_ANY_PORT, 10)) {
            TlsTestConnections.handshakeEveryConnection(server);

            SSLSocket tls12 = closedAfterTest(connectTrustingAll(server.getLocalPort(), List.of("TLSv1.2"), List.of()));
            assertThat(tls12.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(tls12.getSession().getCipherSuite()).startsWith("TLS_ECDHE_ECDSA_")
                    .containsAnyOf("_GCM_", "_CHACHA20_POLY1305_");
            SSLSocket tls13 = closedAfterTest(
                    connectTrustingAll(server.getLocalPort(), List.of("TLSv1.3", "TLSv1.2"), List.of()));
            assertThat(tls13.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void tls12ClientOfferingOnlyCbcSuitesIsRefused() throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.MX, LOOPBACK_ANY_PORT, 10)) {
            TlsTestConnections.handshakeEveryConnection(server);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {UnverifiedTrustManager.INSTANCE}, null);
            try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                client.setSoTimeout(10_000);
                client.setEnabledProtocols(new String[] {"TLSv1.2"});
                client.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});

                assertThatThrownBy(client::startHandshake).isInstanceOf(SSLException.class);
            }
        }
    }

    @Test
    void serverSeesTheNegotiatedAlpnProtocol() throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10, List.of("imap", "smtp"))) {
            CompletableFuture<SSLSocket> accepted = TlsTestConnections.acceptOneHandshake(server);

            SSLSocket client = closedAfterTest(connectTrustingAll(server.getLocalPort(), List.of("TLSv1.3"), List.of("smtp")));
            SSLSocket serverSide = closedAfterTest(accepted.get(10, TimeUnit.SECONDS));
            assertThat(TlsContexts.negotiatedApplicationProtocol(serverSide)).contains("smtp");
            assertThat(client.getApplicationProtocol()).isEqualTo("smtp");
        }
    }

    @Test
    void noAlpnOfferedMeansNoneNegotiated() throws Exception {
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10, List.of("imap"))) {
            CompletableFuture<SSLSocket> accepted = TlsTestConnections.acceptOneHandshake(server);

            closedAfterTest(connectTrustingAll(server.getLocalPort(), List.of("TLSv1.3"), List.of()));
            SSLSocket serverSide = closedAfterTest(accepted.get(10, TimeUnit.SECONDS));
            assertThat(TlsContexts.negotiatedApplicationProtocol(serverSide)).isEqualTo(Optional.empty());
        }
    }

    /** What the port 443 multiplexer will do: peek at the ClientHello, then finish TLS in process. */
    @Test
    void handshakeCompletesWithClientHelloBytesAlreadyReadByARouter() throws Exception {
        try (ServerSocket plainServer = new ServerSocket(0, 10, LOOPBACK_ANY_PORT.getAddress())) {
            CompletableFuture<Optional<String>> serverAlpn = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket plain = plainServer.accept()) {
                    plain.setSoTimeout(10_000);
                    InputStream in = plain.getInputStream();
                    byte[] peeked = new byte[5];
                    int got = in.readNBytes(peeked, 0, peeked.length);
                    assertThat(got).isEqualTo(5);
                    assertThat(peeked[0]).as("TLS handshake record").isEqualTo((byte) 22);
                    SSLSocket tlsSocket = tls.wrapAccepted(plain, TlsPolicy.CLIENT,
                            new ByteArrayInputStream(peeked), List.of("imap", "smtp"));
                    serverAlpn.complete(TlsContexts.negotiatedApplicationProtocol(tlsSocket));
                    tlsSocket.getOutputStream().write("* OK\r\n".getBytes());
                    tlsSocket.getOutputStream().flush();
                    tlsSocket.getInputStream().read();
                } catch (Throwable e) {
                    serverAlpn.completeExceptionally(e);
                }
            });

            SSLSocket client = closedAfterTest(
                    connectTrustingAll(plainServer.getLocalPort(), List.of("TLSv1.3"), List.of("imap")));
            assertThat(serverAlpn.get(10, TimeUnit.SECONDS)).contains("imap");
            byte[] greeting = client.getInputStream().readNBytes(6);
            assertThat(new String(greeting)).isEqualTo("* OK\r\n");
        }
    }
}
