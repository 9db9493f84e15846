package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.testing.MetricValues;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Port 465's connections wait for their client's first byte without a thread of their own
 * (chatmail.net.FirstByteWait): the limits layer must count, evict and time them out exactly as
 * when a thread waited in its first read, and a client that takes its time to start its
 * handshake must still be served.
 */
class SilentImplicitTlsTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    private static Socket silent(TestRelay relay, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.port("submissions")), 10_000);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    @Test
    void aClientThatStartsItsHandshakeLateIsServed(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir);
                SmtpClient late = SmtpClient.connect(relay.port("submissions"))) {
            // Counted while it waits: the relay has accepted and admitted it, and it said nothing yet.
            MetricValues.awaitConnections(relay, ConnectionService.SUBMISSION, 1, WAIT);
            late.upgrade();
            assertThat(late.readReply().line()).startsWith("220 ");
            late.expect(late.ehlo(), 250);
        }
    }

    @Test
    void silentConnectionsCountAgainstTheCapAndTheOldestIsEvictedWithNothingSaid(@TempDir Path dir) throws Exception {
        // 5 per service, a fifth of it (one) per client address.
        try (TestRelay relay = TestRelay.start(dir, b -> b.maxSmtpConnections = 5)) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 1; i <= 5; i++) {
                    held.add(silent(relay, "127.0.0." + i));
                    MetricValues.awaitConnections(relay, ConnectionService.SUBMISSION, i, WAIT);
                }
                // Over its share: refused, and told so in TLS once it speaks, as before it waited without a thread.
                try (SmtpClient second = SmtpClient.connectFrom("127.0.0.2", relay.port("submissions"))) {
                    second.upgrade();
                    assertThat(second.readReply().line()).isEqualTo(SmtpLimitsTest.FROM_YOUR_ADDRESS);
                    assertThat(second.awaitClosed()).isEmpty();
                }
                // The service is full: a newcomer makes room by closing the oldest silent connection.
                try (SmtpClient newcomer = SmtpClient.connectFrom("127.0.0.6", relay.port("submissions"))) {
                    newcomer.upgrade();
                    assertThat(newcomer.readReply().line()).startsWith("220 ");
                    assertThat(held.getFirst().getInputStream().read()).as("the oldest, closed with nothing said")
                            .isEqualTo(-1);
                    assertThat(MetricValues.refused(relay, ConnectionService.SUBMISSION, ConnectionRefusal.EVICTED))
                            .isEqualTo(1);
                    MetricValues.awaitConnections(relay, ConnectionService.SUBMISSION, 5, WAIT);
                }
                assertThat(MetricValues.refused(relay, ConnectionService.SUBMISSION, ConnectionRefusal.CLIENT_CONNECTIONS))
                        .isEqualTo(1);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aSilentConnectionIsClosedAtItsDeadlineWithNothingSaidAndLeavesTheCount(@TempDir Path dir) throws Exception {
        Duration loginTimeout = Duration.ofSeconds(1);
        try (TestRelay relay = TestRelay.start(dir, b -> b.limits = b.limits.withLoginTimeout(loginTimeout));
                Socket s = silent(relay, "127.0.0.9")) {
            long start = System.nanoTime();
            MetricValues.awaitConnections(relay, ConnectionService.SUBMISSION, 1, WAIT);
            assertThat(s.getInputStream().readAllBytes()).isEmpty();
            // ClientLimits puts each connection's deadline in the last quarter of login_timeout.
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(loginTimeout.toNanos() * 3 / 4 - 50_000_000);
            MetricValues.awaitConnections(relay, ConnectionService.SUBMISSION, 0, WAIT);
        }
    }
}
