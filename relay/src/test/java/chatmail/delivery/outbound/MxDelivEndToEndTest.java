package chatmail.delivery.outbound;

import static chatmail.delivery.outbound.FederationPeers.SENDER_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.delivery.inbound.MxDelivReceiver;
import chatmail.dkim.DkimKey;
import chatmail.dkim.DkimKeyFiles;
import chatmail.dkim.DkimSigner;
import chatmail.dkim.DkimVerifier;
import chatmail.dns.DkimKeyCache;
import chatmail.delivery.InboundPipeline;
import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay to relay over /mxdeliv (DLV-2, DLV-4): the sending side's RemoteDelivery posts to an
 * HTTPS server that hands each request to the receiving relay's MxDelivReceiver, which checks
 * DKIM against the sender's key in NSD and stores into the receiving relay.
 */
class MxDelivEndToEndTest {

    @TempDir
    static Path dir;

    static FederationPeers peers;
    static Config sender;
    static DkimSigner signer;
    static MxDelivReceiver receiver;
    static String bob;
    static final String ALICE = "alice@" + SENDER_DOMAIN;

    @BeforeAll
    static void start() throws Exception {
        peers = new FederationPeers(dir, "@ IN MX 10 localhost.");
        sender = peers.senderConfig(true);
        signer = peers.signer;
        var relay = peers.relay.relay();
        receiver = new MxDelivReceiver(new InboundPipeline(relay.config(), relay.spool(), relay.metrics(),
                relay.localDelivery(),
                new DkimVerifier(DkimKeyCache.standard(peers.nsd.resolver(Duration.ofSeconds(2)), peers.clock))));
        peers.https.responder = r -> {
            MxDelivReceiver.Response response = receiver.handle(r.method(),
                    r.mailFrom() == null ? Map.of("X-MAIL-TO", r.mailTo())
                            : Map.of("X-MAIL-FROM", List.of(r.mailFrom()), "X-MAIL-TO", r.mailTo()),
                    r.body());
            return new MxDelivTestServer.Answer(response.status(), response.body());
        };
        bob = peers.account("bob000001");
    }

    @AfterAll
    static void stop() throws Exception {
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void signedEncryptedMessageArrivesOverHttpsWithoutDkimHeaders() throws Exception {
        int before = peers.inbox(bob).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, ALICE, List.of(bob), peers.encryptedMessage(bob));
        assertThat(results).containsEntry(bob, RecipientResult.DELIVERED);
        assertThat(peers.https.requests).isNotEmpty();
        List<String> inbox = peers.inbox(bob);
        assertThat(inbox).hasSize(before + 1);
        assertThat(inbox.getLast()).contains("-----BEGIN PGP MESSAGE-----").doesNotContain("DKIM-Signature");
    }

    @Test
    void unknownRecipientIsRefusedByNameAndTheOthersGetTheMessage() throws Exception {
        String nobody = TestRelay.address("nobody000");
        int before = peers.inbox(bob).size();
        Map<String, RecipientResult> results = peers.remoteDelivery(sender)
                .deliver(TestRelay.DOMAIN, ALICE, List.of(nobody, bob), peers.encryptedMessage(bob));
        assertThat(results).containsEntry(bob, RecipientResult.DELIVERED);
        assertThat(((RecipientResult.Failed) results.get(nobody)).reply()).isEqualTo("550 5.1.1 No such user <" + nobody + ">");
        assertThat(peers.inbox(bob)).hasSize(before + 1);
    }

    @Test
    void receiverAnswersPerDlv4() throws Exception {
        Map<String, List<String>> toBob = Map.of("X-MAIL-FROM", List.of(ALICE), "X-MAIL-TO", List.of(bob));
        byte[] unsigned = FederationPeers.unsignedMessage(bob);
        assertThat(receiver.handle("POST", toBob, unsigned))
                .isEqualTo(new MxDelivReceiver.Response(400, "554 5.7.1 No DKIM signature found"));
        byte[] plain = signer.sign(TestMessages.plainText(ALICE, bob, "hello"));
        assertThat(receiver.handle("POST", toBob, plain).status()).isEqualTo(400);
        assertThat(receiver.handle("POST", toBob, plain).body()).startsWith("523 5.7.10");
        assertThat(receiver.handle("GET", toBob, new byte[0]).status()).isEqualTo(405);
        assertThat(receiver.handle("POST", Map.of("x-mail-to", List.of("someone@elsewhere.test")), signer.sign(unsigned)))
                .isEqualTo(new MxDelivReceiver.Response(400, "554 5.7.1 Relay access denied <someone@elsewhere.test>"));
        byte[] huge = new byte[(int) peers.relay.config().maxMessageSize() + 1];
        assertThat(receiver.handle("POST", toBob, huge).status()).isEqualTo(413);
        int before = peers.inbox(bob).size();
        assertThat(receiver.handle("POST", toBob, signer.sign(unsigned)))
                .isEqualTo(new MxDelivReceiver.Response(200, "250 2.0.0 Ok"));
        assertThat(peers.inbox(bob)).hasSize(before + 1);
        assertThat(new String(signer.sign(unsigned), StandardCharsets.US_ASCII)).startsWith("DKIM-Signature:");
    }
}
