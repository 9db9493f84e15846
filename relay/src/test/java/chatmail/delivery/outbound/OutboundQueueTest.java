package chatmail.delivery.outbound;

import static chatmail.delivery.outbound.FederationPeers.SENDER_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.delivery.BounceBuilder;
import chatmail.dkim.DkimSigner;
import chatmail.metrics.Metrics;
import chatmail.store.MailboxEvents;
import chatmail.store.StoreException;
import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable outbound queue (DLV-3) over real delivery: retries, restarts, expiry and bounces. */
class OutboundQueueTest {

    static final String UNREACHABLE = "@ IN MX 10 mx.down.test.";
    static final String REACHABLE = "@ IN MX 10 localhost.";
    static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    static Path dir;

    static FederationPeers peers;
    static Config sender;
    static String bob;
    static final String ALICE = "alice@" + SENDER_DOMAIN;

    record Bounce(String to, String dsn) {}

    final List<Bounce> bounces = new CopyOnWriteArrayList<>();
    /** How many bounces the store refuses for now (a full disk, a busy database) before it takes them again. */
    final java.util.concurrent.atomic.AtomicInteger storeFailures = new java.util.concurrent.atomic.AtomicInteger();
    OutboundQueueStore store;
    OutboundDelivery outbound;

    @BeforeAll
    static void start() throws Exception {
        peers = new FederationPeers(dir, UNREACHABLE);
        sender = peers.senderConfig(true);
        bob = peers.account("bob000001");
    }

    @AfterAll
    static void stop() throws Exception {
        if (peers != null) {
            peers.close();
        }
    }

    @BeforeEach
    void open() throws Exception {
        relayZone(UNREACHABLE);
        openQueue();
        for (QueuedRecipient left : store.due(FAR_FUTURE, 1000)) {
            store.remove(List.of(left.id()));
        }
    }

    @AfterEach
    void close() {
        outbound.close();
        store.close();
    }

    void openQueue() {
        store = SqliteOutboundQueueStore.open(sender.dataDir());
        outbound = new OutboundDelivery(store, peers.remoteDelivery(sender)::deliver,
                new BounceBuilder(sender.addressDomain(), peers.clock), DkimSigner.forRelay(sender),
                (to, dsn) -> {
                    if (storeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new StoreException("database is locked");
                    }
                    bounces.add(new Bounce(to, new String(dsn, StandardCharsets.UTF_8)));
                },
                peers.clock, OutboundSettings.defaults(), new Metrics());
    }

    void reopen() {
        outbound.close();
        store.close();
        openQueue();
    }

    static void relayZone(String records) throws Exception {
        peers.nsd.zone(TestRelay.DOMAIN, records).start();
    }

    @Test
    void queuedMessageSurvivesRestartAndIsRetriedWithBackoff() throws Exception {
        int before = peers.inbox(bob).size();
        Instant queuedAt = peers.clock.instant();
        outbound.enqueue(ALICE, List.of(bob), peers.encryptedMessage(bob));
        assertThat(outbound.runDue().deferred()).isEqualTo(1);
        assertThat(store.nextDue()).contains(queuedAt.plus(Duration.ofMinutes(1)));

        reopen();
        assertThat(outbound.queued()).isEqualTo(1);
        assertThat(outbound.runDue()).as("not due before its backoff").isEqualTo(OutboundDelivery.Round.NONE);
        peers.clock.advance(Duration.ofMinutes(1));
        assertThat(outbound.runDue().deferred()).isEqualTo(1);
        assertThat(store.nextDue()).as("second wait is longer").contains(peers.clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(store.due(FAR_FUTURE, 10).getFirst().attempts()).isEqualTo(2);

        relayZone(REACHABLE);
        reopen();
        peers.clock.advance(Duration.ofMinutes(4));
        assertThat(outbound.runDue()).isEqualTo(OutboundDelivery.Round.NONE);
        peers.clock.advance(Duration.ofMinutes(1));
        assertThat(outbound.runDue().delivered()).isEqualTo(1);
        assertThat(outbound.queued()).isZero();
        assertThat(peers.inbox(bob)).hasSize(before + 1);
        assertThat(bounces).isEmpty();
    }

    @Test
    void senderGetsASignedBounceAfterTwoDays() throws Exception {
        Instant queuedAt = peers.clock.instant();
        outbound.enqueue(ALICE, List.of(bob), peers.encryptedMessage(bob));
        List<Duration> waits = new ArrayList<>();
        Instant previous = queuedAt;
        int rounds = 0;
        while (bounces.isEmpty() && rounds++ < 100) {
            outbound.runDue();
            if (store.nextDue().isPresent()) {
                Instant next = store.nextDue().get();
                waits.add(Duration.between(previous, next));
                previous = next;
                peers.clock.set(next);
                assertThat(bounces).as("no bounce before two days").isEmpty();
            }
        }
        assertThat(peers.clock.instant()).isEqualTo(queuedAt.plus(Duration.ofDays(2)));
        assertThat(waits.subList(0, 4)).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(15), Duration.ofMinutes(30));
        assertThat(waits).allMatch(w -> w.compareTo(Duration.ofHours(4)) <= 0);

        assertThat(bounces).hasSize(1);
        Bounce bounce = bounces.getFirst();
        assertThat(bounce.to()).isEqualTo(ALICE);
        assertThat(bounce.dsn()).startsWith("DKIM-Signature:")
                .contains("d=" + SENDER_DOMAIN)
                .contains("From: Mail Delivery System <MAILER-DAEMON@" + SENDER_DOMAIN + ">")
                .contains("report-type=delivery-status")
                .contains("Final-Recipient: rfc822; " + bob)
                .contains("Status: 4.4.7")
                .contains("Message-ID: <Mr.test.");
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void refusedRecipientBouncesAtOnce() throws Exception {
        relayZone(REACHABLE);
        String nobody = TestRelay.address("nobody000");
        outbound.enqueue(ALICE, List.of(bob, nobody), peers.encryptedMessage(bob));
        OutboundDelivery.Round round = outbound.runDue();
        assertThat(round).isEqualTo(new OutboundDelivery.Round(1, 1, 0, 1));
        assertThat(bounces.getFirst().dsn()).contains("Final-Recipient: rfc822; " + nobody)
                .contains("550 5.1.1").doesNotContain("Final-Recipient: rfc822; " + bob);
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void aBounceTheStoreCannotTakeNowIsRetriedNotLost() throws Exception {
        relayZone(REACHABLE);
        String nobody = TestRelay.address("nobody000");
        outbound.enqueue(ALICE, List.of(bob, nobody), peers.encryptedMessage(bob));
        storeFailures.set(1);
        OutboundDelivery.Round first = outbound.runDue();
        assertThat(first.delivered()).isEqualTo(1);
        assertThat(first.bounces()).isZero();
        assertThat(bounces).isEmpty();
        assertThat(outbound.queued()).as("the failed recipient waits for its bounce").isEqualTo(1);
        assertThat(store.due(FAR_FUTURE, 10).getFirst().finalReply()).startsWith("550 5.1.1");

        // The wait survives a restart, and the next round only bounces: nothing is sent again.
        reopen();
        assertThat(outbound.runDue()).as("not due yet").isEqualTo(OutboundDelivery.Round.NONE);
        peers.clock.advance(Duration.ofMinutes(1));
        assertThat(outbound.runDue()).isEqualTo(new OutboundDelivery.Round(0, 1, 0, 1));
        assertThat(bounces).hasSize(1);
        assertThat(bounces.getFirst().to()).isEqualTo(ALICE);
        assertThat(bounces.getFirst().dsn()).contains("Final-Recipient: rfc822; " + nobody).contains("550 5.1.1")
                .doesNotContain("Final-Recipient: rfc822; " + bob);
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void nullSenderIsNeverBounced() throws Exception {
        relayZone(REACHABLE);
        outbound.enqueue("", List.of(TestRelay.address("nobody000")), peers.encryptedMessage(bob));
        assertThat(outbound.runDue()).isEqualTo(new OutboundDelivery.Round(0, 1, 0, 0));
        assertThat(bounces).isEmpty();
    }

    @Test
    void workerDeliversRightAfterEnqueue() throws Exception {
        relayZone(REACHABLE);
        long bobId = peers.relay.relay().store().findAccount(bob).orElseThrow().id();
        CountDownLatch arrived = new CountDownLatch(1);
        MailboxEvents.Subscription subscription = peers.relay.relay().store().events().subscribe(bobId, e -> {
            if (e instanceof MailboxEvents.MessagesAdded) {
                arrived.countDown();
            }
        });
        try {
            outbound.start();
            outbound.enqueue(ALICE, List.of(bob), peers.encryptedMessage(bob));
            assertThat(arrived.await(20, TimeUnit.SECONDS)).as("delivered by the worker").isTrue();
        } finally {
            subscription.close();
        }
    }
}
