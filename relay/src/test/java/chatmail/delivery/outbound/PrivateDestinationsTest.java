package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.dns.NsdServer;
import chatmail.smtp.ServerReply;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.StoredMail;
import chatmail.testing.TestRelay;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-5 on a relay with {@code allow_private_destinations} off, as a sender notices it: mail to
 * a domain whose servers are on loopback, private, link-local or multicast addresses is not
 * sent anywhere, and the sender gets a bounce saying why. NSD makes the names resolve there.
 */
class PrivateDestinationsTest {

    @TempDir
    static Path dir;

    static NsdServer nsd;
    static TestRelay relay;
    /** Where the relay would connect on loopback (outbound_smtp_port, outbound_https_port): never. */
    static ServerSocket smtpTrap;
    static ServerSocket httpsTrap;

    @BeforeAll
    static void start() throws Exception {
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))
                .zone("loop.test", "@ IN MX 10 mx\nmx IN A 127.0.0.1")
                .zone("ten.test", "@ IN A 10.1.2.3")
                .zone("linklocal.test", "@ IN A 169.254.169.254")
                .zone("six.test", "@ IN AAAA ::1")
                .zone("multicast.test", "@ IN A 224.0.0.1")
                .zone("mixed.test", "@ IN MX 10 mx.loop.test.\n@ IN MX 20 mx\nmx IN A 192.168.0.25\nmx IN AAAA fd00::25")
                .start();
        smtpTrap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        httpsTrap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")), b -> {
            b.allowPrivateDestinations = false;
            b.dnsResolver = nsd.resolverSetting();
            b.outboundSmtpPort = smtpTrap.getLocalPort();
            b.outboundHttpsPort = httpsTrap.getLocalPort();
        });
    }

    @AfterAll
    static void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        if (nsd != null) {
            nsd.close();
        }
        smtpTrap.close();
        httpsTrap.close();
    }

    @Test
    void mailToPrivateDestinationsBouncesWithTheReasonAndConnectsNowhere() throws Exception {
        String alice = SmtpFixtures.account(relay);
        List<String> domains = List.of("loop.test", "ten.test", "linklocal.test", "six.test", "multicast.test",
                "mixed.test", "[127.0.0.1]", "[IPv6:::1]", "[10.0.0.1]");
        List<String> recipients = domains.stream().map(d -> "someone@" + d).toList();
        double failedBefore = outcomes("failed");

        try (SmtpClient c = SmtpClient.connectTls(relay.port("submissions"))) {
            c.expect(c.readReply(), 220);
            c.expect(c.ehlo(), 250);
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            ServerReply reply = c.sendMail(alice, recipients, SmtpFixtures.encrypted(alice, recipients.getFirst()));
            assertThat(reply.line()).as("accepted: the refusal comes with delivery, as for any destination").startsWith("250");
        }
        relay.relay().outbound().runDue(); // waits for the attempts the submission started

        List<String> bounces = StoredMail.inbox(relay, alice).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(bounces).as("one bounce per destination").hasSize(domains.size());
        for (String written : domains) {
            String domain = written.toLowerCase(Locale.ROOT); // as the queue keeps it
            String bounce = bounces.stream().filter(b -> b.contains("Final-Recipient: rfc822; someone@" + domain + "\r\n"))
                    .findFirst().orElseThrow(() -> new AssertionError("no bounce for " + domain + " in " + bounces));
            assertThat(bounce).contains("Action: failed\r\n", "Status: 5.4.4\r\n",
                    "Diagnostic-Code: smtp; 550 5.4.4 " + domain + " leads only to addresses this relay does not"
                            + " deliver to (loopback, private, link-local, multicast or its own)\r\n");
        }
        assertThat(relay.relay().outbound().queued()).as("nothing left to retry").isZero();
        assertThat(outcomes("failed") - failedBefore).isEqualTo(domains.size());
        assertNothingConnected(smtpTrap);
        assertNothingConnected(httpsTrap);
    }

    @Test
    void destinationsAreForgottenOnceTheirAttemptsEnd() throws Exception {
        // Five hundred address literals, each its own destination; the null sender, so no bounces.
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            recipients.add("someone@[10.0." + (i / 250) + "." + (i % 250 + 1) + "]");
        }
        double failedBefore = outcomes("failed");
        relay.relay().outbound().enqueue("", recipients, SmtpFixtures.encrypted("x@chatmail.localhost", recipients.getFirst()));
        relay.relay().outbound().runDue();
        assertThat(outcomes("failed") - failedBefore).as("every destination had its attempt").isEqualTo(500);
        assertThat(relay.relay().outbound().queued()).isZero();
        assertThat(relay.relay().outbound().activeDestinations()).as("no destination is kept once its work ended")
                .isZero();
        assertNothingConnected(smtpTrap);
    }

    private static double outcomes(String result) {
        return relay.relay().metrics().registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("chatmail_outbound_attempts"))
                .flatMap(s -> ((CounterSnapshot) s).getDataPoints().stream())
                .filter(p -> p.getLabels().get("result").equals(result))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }

    /** Nothing is waiting in the listen queue: no connection was ever made. */
    private static void assertNothingConnected(ServerSocket trap) throws IOException {
        trap.setSoTimeout(1);
        try (Socket s = trap.accept()) {
            throw new AssertionError("the relay connected to " + trap.getLocalSocketAddress() + " from " + s.getRemoteSocketAddress());
        } catch (SocketTimeoutException expected) {
            // no connection
        }
    }
}
