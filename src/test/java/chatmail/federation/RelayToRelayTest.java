package chatmail.federation;

import static chatmail.federation.TwoRelays.account;
import static chatmail.federation.TwoRelays.inbox;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.net.InetSocketAddress;
import chatmail.smtp.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail between two relays of this project (SMTP-6, SMTP-8, SMTP-10, DLV-1 … DLV-4), each a
 * whole relay on its own loopback address, found through a real DNS server.
 */
class RelayToRelayTest {

    @TempDir
    static Path dir;

    static TwoRelays net;

    @BeforeAll
    static void start() throws Exception {
        net = new TwoRelays(dir);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @BeforeEach
    void relay2FullyOpenAndRelay1ForgetsHostsWithoutMxDeliv() throws Exception {
        if (net.relay2 == null || net.relay2.config().smtpPort() == 0 || net.relay2.config().httpsPort() == 0) {
            net.startRelay2(true, true);
        }
        // Relay 1 remembers a host without /mxdeliv for 30 minutes (DLV-2); each test starts afresh.
        net.clock1.advance(Duration.ofMinutes(31));
    }

    @Test
    void messageArrivesDkimVerifiedWithHeadersCleaned() throws Exception {
        String alice = account(net.relay1, "alice0001");
        String bob = account(net.relay2, "bob000001");
        var m = SmtpFixtures.deltaChatMessage(alice, bob, "fed1.0001@relay1.test");
        try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
            assertThat(net.submit(alice, List.of(bob), m.sent()).line()).startsWith("250");
            arrival.await(20);
        }
        List<String> stored = inbox(net.relay2, bob);
        assertThat(stored).hasSize(1);
        // Exactly what a phone sent minus Received, X-Originating-IP, X-Mailer, User-Agent, with
        // Subject [...]; relay 2 stripped the DKIM-Signature it verified (SMTP-10).
        assertThat(stored.getFirst()).isEqualTo(new String(m.expectedStored(), StandardCharsets.UTF_8))
                .doesNotContain("127.0.0.");
        assertQueueEmpty();
    }

    @Test
    void httpsOnlyRelayGetsMailOverMxDeliv() throws Exception {
        net.startRelay2(false, true);
        List<Long> latencies = sendOneByOne("https0001", "bobhttps1", LATENCY_SAMPLES);
        report("HTTPS (/mxdeliv)", latencies);
    }

    @Test
    void smtpOnlyRelayGetsMailOverPort25() throws Exception {
        net.startRelay2(true, false);
        List<Long> latencies = sendOneByOne("smtp00001", "bobsmtp01", LATENCY_SAMPLES);
        report("SMTP (port 25)", latencies);
    }

    static final int LATENCY_SAMPLES = 20;

    /**
     * Relay 1 forgets a delivered message right after relay 2's commit; a round of its own
     * waits for the worker's round to end, so the queue is then settled.
     */
    private static void assertQueueEmpty() throws InterruptedException {
        net.relay1.relay().outbound().runDue();
        assertThat(net.relay1.relay().outbound().queued()).isZero();
    }

    /**
     * Sends {@code n} messages one after the other on one submission connection and returns,
     * for each, the nanoseconds from the end of DATA on relay 1 to the commit in relay 2's store.
     */
    private List<Long> sendOneByOne(String senderLocal, String recipientLocal, int n) throws Exception {
        String alice = account(net.relay1, senderLocal);
        String bob = account(net.relay2, recipientLocal);
        List<Long> latencies = new ArrayList<>();
        try (SmtpClient c = SmtpClient.connectTls(new InetSocketAddress(TwoRelays.IP1, net.ports.submissions()))) {
            c.expect(c.readReply(), 220);
            c.expect(c.ehlo(), 250);
            c.expect(c.authPlain(alice, TwoRelays.PASSWORD), 235);
            for (int i = 0; i < n; i++) {
                byte[] message = SmtpFixtures.deltaChatMessage(alice, bob, "lat" + i + "." + senderLocal + "@relay1.test").sent();
                c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
                c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
                c.expect(c.command("DATA"), 354);
                try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
                    long t0 = System.nanoTime();
                    c.write(SmtpClient.dotStuffed(message));
                    c.expect(c.readReply(), 250);
                    latencies.add(arrival.await(20) - t0);
                }
            }
        }
        assertThat(inbox(net.relay2, bob)).hasSize(n);
        assertQueueEmpty();
        return latencies;
    }

    private static void report(String path, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf("federation latency over %s: median %.1f ms, min %.1f ms, max %.1f ms (%d messages,"
                        + " end of DATA on relay 1 to the commit on relay 2)%n", path,
                sorted.get(sorted.size() / 2) / 1e6, sorted.getFirst() / 1e6, sorted.getLast() / 1e6, sorted.size());
    }
}
