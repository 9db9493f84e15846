package chatmail.delivery.outbound;

import static chatmail.delivery.outbound.FederationPeers.SENDER_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.dns.NsdServer;
import chatmail.testing.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery to one domain (DLV-1, DLV-2) against real peers: this project's relay as the MX
 * (STARTTLS with a CA-signed certificate), NSD for DNS, a JDK HTTPS server for /mxdeliv.
 */
class RemoteDeliveryTest {

    @TempDir
    static Path dir;

    static FederationPeers peers;
    static Config sender;
    static String alice = "alice@" + SENDER_DOMAIN;
    static String bob;
    static String carol;

    @BeforeAll
    static void start() throws Exception {
        peers = new FederationPeers(dir, "@ IN MX 10 localhost.");
        sender = peers.senderConfig(true);
        bob = peers.account("bob000001");
        carol = peers.account("carol0001");
    }

    @AfterAll
    static void stop() throws Exception {
        if (peers != null) {
            peers.close();
        }
    }

    @BeforeEach
    void reset() {
        peers.https.requests.clear();
        peers.https.responder = r -> new MxDelivTestServer.Answer(404, "not here");
    }

    @Test
    void smtpWithVerifiedStartTlsDeliversIntoTheRelaysStore() throws Exception {
        int before = peers.inbox(bob).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
        assertThat(results).containsEntry(bob, RecipientResult.DELIVERED);
        List<String> inbox = peers.inbox(bob);
        assertThat(inbox).hasSize(before + 1);
        assertThat(inbox.getLast()).contains("-----BEGIN PGP MESSAGE-----").contains("From: <alice@" + SENDER_DOMAIN + ">");
    }

    @Test
    void unknownRecipientFailsAloneOverSmtp() throws Exception {
        String nobody = TestRelay.address("nobody000");
        int before = peers.inbox(carol).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, alice, List.of(carol, nobody), peers.encryptedMessage(carol));
        assertThat(results).containsEntry(carol, RecipientResult.DELIVERED);
        assertThat(results.get(nobody)).isInstanceOf(RecipientResult.Failed.class);
        assertThat(((RecipientResult.Failed) results.get(nobody)).reply()).startsWith("550 5.1.1");
        assertThat(peers.inbox(carol)).hasSize(before + 1);
    }

    @Test
    void untrustedCertificateIsNeverUsed() throws Exception {
        int before = peers.inbox(bob).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(peers.senderConfig(false))
                .deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
        assertThat(results.get(bob)).isInstanceOf(RecipientResult.Deferred.class);
        assertThat(peers.inbox(bob)).hasSize(before);
    }

    @Test
    void hostWithoutMxDelivIsReachedOverSmtpOnlyForThirtyMinutes() throws Exception {
        RemoteDelivery delivery = peers.remoteDelivery(sender);
        int before = peers.inbox(bob).size();
        delivery.deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
        assertThat(peers.https.requests).hasSize(1);
        peers.clock.advance(Duration.ofMinutes(29));
        delivery.deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
        assertThat(peers.https.requests).as("no HTTPS within 30 minutes").hasSize(1);
        peers.clock.advance(Duration.ofMinutes(2));
        delivery.deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
        assertThat(peers.https.requests).as("HTTPS is tried again after 30 minutes").hasSize(2);
        assertThat(peers.inbox(bob)).hasSize(before + 3);
    }

    @Test
    void mxDelivDeliversWithoutSmtp() throws Exception {
        peers.https.responder = r -> new MxDelivTestServer.Answer(200, "250 2.0.0 Ok");
        int before = peers.inbox(bob).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, alice, List.of(bob, carol), peers.encryptedMessage(bob));
        assertThat(results).containsEntry(bob, RecipientResult.DELIVERED).containsEntry(carol, RecipientResult.DELIVERED);
        assertThat(peers.https.requests.getFirst().mailTo()).containsExactly(bob, carol);
        assertThat(peers.https.requests.getFirst().mailFrom()).isEqualTo(alice);
        assertThat(peers.inbox(bob)).as("nothing went over SMTP").hasSize(before);
    }

    @Test
    void mxDelivRefusalOfOneRecipientBouncesItAndRepostsToTheOthers() throws Exception {
        peers.https.responder = r -> r.mailTo().contains(carol)
                ? new MxDelivTestServer.Answer(400, "550 5.1.1 <" + carol + "> No such user")
                : new MxDelivTestServer.Answer(200, "250 2.0.0 Ok");
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, alice, List.of(bob, carol), peers.encryptedMessage(bob));
        assertThat(results).containsEntry(bob, RecipientResult.DELIVERED)
                .containsEntry(carol, new RecipientResult.Failed("550 5.1.1 <" + carol + "> No such user"));
        assertThat(peers.https.requests).hasSize(2);
        assertThat(peers.https.requests.get(1).mailTo()).containsExactly(bob);
    }

    @Test
    void mxDelivTemporaryAnswersQueueWithoutSmtp() throws Exception {
        for (var answer : List.of(new MxDelivTestServer.Answer(400, "450 4.2.0 Busy"),
                new MxDelivTestServer.Answer(503, "451 4.3.0 Temporary local problem, try again later"))) {
            peers.https.responder = r -> answer;
            int before = peers.inbox(bob).size();
            Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                    .deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
            assertThat(results.get(bob)).isInstanceOf(RecipientResult.Deferred.class);
            assertThat(peers.inbox(bob)).hasSize(before);
        }
    }

    @Test
    void permanentDnsAnswersFailAndTemporaryOnesDefer() throws Exception {
        RemoteDelivery delivery = peers.remoteDelivery(sender);
        assertThat(delivery.deliver("nullmx.test", alice, List.of("x@nullmx.test"), peers.encryptedMessage("x@nullmx.test")).get("x@nullmx.test"))
                .isInstanceOf(RecipientResult.Failed.class);
        assertThat(delivery.deliver("gone.down.test", alice, List.of("x@gone.down.test"), peers.encryptedMessage("x@gone.down.test"))
                .get("x@gone.down.test")).isInstanceOf(RecipientResult.Failed.class);
        // mx.down.test (127.0.0.2) exists but nothing listens there.
        assertThat(delivery.deliver("mx.down.test", alice, List.of("x@mx.down.test"), peers.encryptedMessage("x@mx.down.test"))
                .get("x@mx.down.test")).isInstanceOf(RecipientResult.Deferred.class);
        Config.Builder noDns = sender.toBuilder();
        noDns.dnsResolver = "127.0.0.1:" + FederationPeers.closedPort();
        assertThat(peers.remoteDelivery(noDns.build()).deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob))
                .get(bob)).isInstanceOf(RecipientResult.Deferred.class);
    }

    @Test
    void unreachableFirstMxFallsBackToTheNext(@TempDir Path own) throws Exception {
        try (NsdServer dns = NsdServer.in(Files.createDirectories(own.resolve("dns")))
                .zone("localhost", "@ IN A 127.0.0.1")
                .zone("down.test", "mx IN A 127.0.0.2")
                .zone(TestRelay.DOMAIN, "@ IN MX 10 mx.down.test.\n@ IN MX 20 localhost.")
                .start()) {
            Config.Builder b = sender.toBuilder();
            b.dnsResolver = dns.resolverSetting();
            int before = peers.inbox(bob).size();
            Map<String, RecipientResult> results = peers.remoteDelivery(b.build())
                    .deliver(TestRelay.DOMAIN, alice, List.of(bob), peers.encryptedMessage(bob));
            assertThat(results).containsEntry(bob, RecipientResult.DELIVERED);
            assertThat(peers.inbox(bob)).hasSize(before + 1);
        }
    }
}
