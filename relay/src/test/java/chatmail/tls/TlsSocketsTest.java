package chatmail.tls;

import static chatmail.tls.TlsTestConnections.LOOPBACK_ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import chatmail.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSocketsTest {
    @TempDir
    Path dataDir;

    @Test
    void closingATls13ConnectionDoesNotWaitForAnIdlePeer() throws Exception {
        Config.Builder builder = Config.builder("chatmail.localhost");
        builder.dataDir = dataDir;
        TlsContexts tls = TlsContexts.create(builder.build());
        try (SSLServerSocket server = tls.bindImplicit(TlsPolicy.CLIENT, LOOPBACK_ANY_PORT, 10)) {
            var accepted = TlsTestConnections.acceptOneHandshake(server);
            SSLSocket idleClient = TlsTestConnections.connectTrustingAll(server.getLocalPort(), List.of("TLSv1.3"), List.of());
            try {
                SSLSocket serverSide = accepted.get(10, TimeUnit.SECONDS);
                // An IMAP IDLE-like timeout: a plain close() would block this long for the peer's close_notify.
                serverSide.setSoTimeout((int) Duration.ofMinutes(5).toMillis());

                // Returns without the peer's close_notify; a close that waited for it would block for
                // the 5-minute timeout, which the generous bound here tells apart.
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> TlsSockets.close(serverSide));

                assertThat(serverSide.isClosed()).isTrue();
                assertThat(idleClient.getInputStream().read()).as("client sees the close").isEqualTo(-1);
            } finally {
                TlsSockets.close(idleClient);
            }
        }
    }
}
