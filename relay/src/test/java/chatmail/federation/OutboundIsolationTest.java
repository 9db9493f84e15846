package chatmail.federation;

import static chatmail.federation.TwoRelays.account;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.smtp.SmtpFixtures;
import chatmail.testing.LogLines;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-5 between real relays: a destination that accepts the connection and then stalls delays
 * only its own mail. Relay 1 delivers to relay 2 and to its own users while its attempt at the
 * tarpit (on 127.0.0.4, named by NSD) hangs; the attempt ends at relay 1's
 * {@code outbound_attempt_timeout} and the message waits in the queue for its retry.
 */
class OutboundIsolationTest {

    /** Short for the test; long enough that a busy machine delivers the good mail well within it. */
    static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    /** Beside the three addresses of {@link TwoRelays}; its port numbers are free here as well in practice. */
    static final String SLOW_TLS_IP = "127.0.0.5";

    static TwoRelays net;

    @BeforeAll
    static void start() throws Exception {
        net = new TwoRelays(dir);
        net.nsd.zone("tarpit.test", "@ IN MX 10 mx\nmx IN A " + TwoRelays.IP_CLASSIC)
                .zone("slowtls.test", "@ IN MX 10 mx\nmx IN A " + SLOW_TLS_IP)
                .start();
        net.restartRelay1(b -> {
            b.outboundAttemptTimeout = DEADLINE;
            // Shorter than the attempt, yet never reached: the tarpit sends a byte every 100 ms.
            b.outboundCommandTimeout = Duration.ofSeconds(3);
        });
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void stallingDestinationsDelayOnlyTheirOwnMail() throws Exception {
        String alice = account(net.relay1, "tarpit001");
        String bob = account(net.relay2, "bobtarpit");
        String carol = account(net.relay1, "carolocal");
        OutboundDelivery outbound = net.relay1.relay().outbound();
        // tarpit.test: nothing listens for HTTPS, so relay 1 falls back to SMTP, whose greeting
        // trickles and never ends. slowtls.test: /mxdeliv accepts the connection and never
        // answers the TLS handshake.
        try (Tarpit smtpTarpit = new Tarpit(TwoRelays.IP_CLASSIC, net.ports.smtp(), 100);
                Tarpit httpsTarpit = new Tarpit(SLOW_TLS_IP, net.ports.https(), 0);
                LogLines log = LogLines.of(OutboundDelivery.class)) {
            var stuck = SmtpFixtures.deltaChatMessage(alice, "victim01@tarpit.test", "stuck.1@relay1.test");
            assertThat(net.submit(alice, List.of("victim01@tarpit.test"), stuck.sent()).line()).startsWith("250");
            var stuckToo = SmtpFixtures.deltaChatMessage(alice, "victim02@slowtls.test", "stuck.2@relay1.test");
            assertThat(net.submit(alice, List.of("victim02@slowtls.test"), stuckToo.sent()).line()).startsWith("250");
            Tarpit.Connection smtpHeld = smtpTarpit.firstConnection().get(20, TimeUnit.SECONDS);
            Tarpit.Connection httpsHeld = httpsTarpit.firstConnection().get(20, TimeUnit.SECONDS);

            try (var toBob = TwoRelays.arrivals(net.relay2, bob, 1);
                    var toCarol = TwoRelays.arrivals(net.relay1, carol, 1)) {
                var remote = SmtpFixtures.deltaChatMessage(alice, bob, "remote.1@relay1.test");
                assertThat(net.submit(alice, List.of(bob), remote.sent()).line()).startsWith("250");
                var local = SmtpFixtures.deltaChatMessage(alice, carol, "local.1@relay1.test");
                assertThat(net.submit(alice, List.of(carol), local.sent()).line()).startsWith("250");
                toBob.await(20);
                toCarol.await(20);
            }
            assertThat(smtpHeld.closed()).as("mail to others arrived while the SMTP tarpit held its attempt")
                    .isNotDone();
            assertThat(httpsHeld.closed()).as("... and the HTTPS one its own").isNotDone();

            // Relay 1 hangs up on both at the deadline and keeps the messages for their retry.
            smtpHeld.closed().get(60, TimeUnit.SECONDS);
            httpsHeld.closed().get(60, TimeUnit.SECONDS);
            String deferred = log.await(l -> l.contains("at tarpit.test deferred after attempt 1"), 20);
            assertThat(deferred).startsWith("INFO")
                    .endsWith(": mx.tarpit.test: attempt ended after its deadline of 10 s")
                    .doesNotContain("127.0.0.").doesNotContain("victim01");
            assertThat(log.await(l -> l.contains("at slowtls.test deferred after attempt 1"), 20))
                    .endsWith(", next attempt " + net.clock1.instant().plus(Duration.ofMinutes(1))
                            + ": attempt ended after its deadline of 10 s");
            outbound.runDue(); // nothing is due now; waits until relay 1 has settled the delivered ones
            assertThat(outbound.queued()).as("both kept for their retry, nothing else").isEqualTo(2);
            assertThat(queueSize()).as("the operator's gauge").isEqualTo(2);
            assertThat(smtpTarpit.connections() + httpsTarpit.connections())
                    .as("no second attempt before the retry is due").isEqualTo(2);
        }
    }

    private static double queueSize() {
        return net.relay1.relay().metrics().registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("chatmail_outbound_queue_size"))
                .flatMap(s -> ((GaugeSnapshot) s).getDataPoints().stream())
                .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).sum();
    }
}
