package chatmail.delivery.outbound;

import static chatmail.delivery.outbound.FederationPeers.SENDER_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.delivery.BounceBuilder;
import chatmail.dkim.DkimSigner;
import chatmail.metrics.Metrics;
import chatmail.store.Acceptance;
import chatmail.store.Committed;
import chatmail.store.MessageBody;
import chatmail.store.QueuedCopy;
import chatmail.store.sqlite.SqliteMailStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A submission's queue copy committed before its DKIM signature was made
 * ({@link QueuedCopy#signAtSend()}): the attempt sends the signature made beside the commit when
 * it has it, and signs itself when it has none, as after a crash between the commit and the
 * attempt. The receiving relay checks DKIM (SMTP-8), so "delivered" means "validly signed".
 */
class SignAtSendTest {

    @TempDir
    static Path dir;

    static FederationPeers peers;
    static Config sender;
    static String bob;
    static final String ALICE = "alice@" + SENDER_DOMAIN;

    SqliteMailStore mail;
    OutboundQueueStore queue;
    OutboundDelivery outbound;

    @BeforeAll
    static void start() throws Exception {
        peers = new FederationPeers(dir, OutboundQueueTest.REACHABLE);
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
    void open() {
        mail = SqliteMailStore.open(sender.dataDir(), peers.clock);
        queue = SqliteOutboundQueueStore.open(sender.dataDir());
    }

    @AfterEach
    void close() {
        if (outbound != null) {
            outbound.close();
        }
        queue.close();
        mail.close();
    }

    OutboundDelivery delivery(OutboundDelivery.Transport transport) {
        return new OutboundDelivery(queue, transport, new BounceBuilder(sender.addressDomain(), peers.clock),
                DkimSigner.forRelay(sender), (to, dsn) -> {}, peers.clock, OutboundSettings.defaults(), new Metrics());
    }

    Committed commitUnsigned(byte[] message, boolean signAtSend, java.time.Instant claimedUntil) {
        QueuedCopy copy = new QueuedCopy(ALICE, List.of(bob), new byte[0], MessageBody.of(message), peers.clock.instant(),
                claimedUntil, signAtSend);
        return mail.commit(new Acceptance(List.of(), Optional.of(copy)));
    }

    @Test
    void aCopyQueuedUnsignedIsSignedByItsAttemptWhenNoSignatureWasMadeForIt() throws Exception {
        outbound = delivery(peers.remoteDelivery(sender)::deliver);
        int before = peers.inbox(bob).size();
        // As after a crash between the commit and the attempt: the row alone, nothing in memory.
        long id = commitUnsigned(FederationPeers.unsignedMessage(bob), true, null).queued().orElseThrow().messageId();
        assertThat(queue.queuedContent(id).signAtSend()).isTrue();
        assertThat(new String(queue.message(id), StandardCharsets.US_ASCII)).doesNotContain("DKIM-Signature");

        assertThat(outbound.runDue()).isEqualTo(new OutboundDelivery.Round(1, 0, 0, 0));
        assertThat(peers.inbox(bob)).hasSize(before + 1);
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void theReceiverRefusesTheSameCopyWhenNothingSignsIt() throws Exception {
        // The control for the test above: a row that says it is signed is sent as it is.
        outbound = delivery(peers.remoteDelivery(sender)::deliver);
        int before = peers.inbox(bob).size();
        commitUnsigned(FederationPeers.unsignedMessage(bob), false, null);

        assertThat(outbound.runDue().failed()).isEqualTo(1);
        assertThat(peers.inbox(bob)).hasSize(before);
    }

    @Test
    void theSignatureMadeBesideTheCommitIsTheOneSentOnTopOfTheQueuedCopy() throws Exception {
        List<byte[]> sent = new CopyOnWriteArrayList<>();
        outbound = delivery((domain, from, recipients, message) -> {
            try {
                sent.add(message.readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Map.of(recipients.getFirst(), RecipientResult.DELIVERED);
        });
        byte[] message = FederationPeers.unsignedMessage(bob);
        commitUnsignedAndRunTheAttempt(message);

        assertThat(sent).hasSize(1);
        byte[] expected = new byte[EARLY.length + message.length];
        System.arraycopy(EARLY, 0, expected, 0, EARLY.length);
        System.arraycopy(message, 0, expected, EARLY.length, message.length);
        assertThat(sent.getFirst()).isEqualTo(expected);
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void theAttemptRightAfterTheCommitSendsTheCopyInHandWithoutReadingItBack() throws Exception {
        ReadCounting counting = new ReadCounting(queue);
        List<byte[]> sent = new CopyOnWriteArrayList<>();
        outbound = new OutboundDelivery(counting, (domain, from, recipients, m) -> {
            try {
                sent.add(m.readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Map.of(recipients.getFirst(), RecipientResult.DELIVERED);
        }, new BounceBuilder(sender.addressDomain(), peers.clock), DkimSigner.forRelay(sender), (to, dsn) -> {},
                peers.clock, OutboundSettings.defaults(), new Metrics());
        byte[] message = FederationPeers.unsignedMessage(bob);
        commitUnsignedAndRunTheAttempt(message);

        assertThat(sent).hasSize(1);
        assertThat(new String(sent.getFirst(), StandardCharsets.US_ASCII))
                .isEqualTo(new String(EARLY, StandardCharsets.US_ASCII) + new String(message, StandardCharsets.US_ASCII));
        assertThat(counting.reads).as("the queue row is not read back").isZero();
        assertThat(outbound.queued()).isZero();

        // The control: an entry the loop takes (a retry, the next start) is read from its row.
        commitUnsigned(message, true, null);
        outbound.runDue();
        assertThat(counting.reads).isEqualTo(1);
        assertThat(sent).hasSize(2);
    }

    /** The queue, counting the reads of queued messages. */
    static final class ReadCounting implements OutboundQueueStore {
        private final OutboundQueueStore queue;
        volatile int reads;

        ReadCounting(OutboundQueueStore queue) {
            this.queue = queue;
        }

        @Override
        public List<QueuedRecipient> add(String sender, List<String> recipients, byte[] message, java.time.Instant now,
                java.time.Instant claimedUntil) {
            return queue.add(sender, recipients, message, now, claimedUntil);
        }

        @Override
        public List<QueuedRecipient> claimDue(java.time.Instant now, java.time.Instant claimedUntil, int limit) {
            return queue.claimDue(now, claimedUntil, limit);
        }

        @Override
        public List<QueuedRecipient> due(java.time.Instant now, int limit) {
            return queue.due(now, limit);
        }

        @Override
        public Optional<java.time.Instant> nextDue() {
            return queue.nextDue();
        }

        @Override
        public QueuedContent queuedContent(long messageId) {
            reads++;
            return queue.queuedContent(messageId);
        }

        @Override
        public void remove(List<Long> recipientIds) {
            queue.remove(recipientIds);
        }

        @Override
        public void holdForBounce(Map<Long, String> finalReplies, java.time.Instant next) {
            queue.holdForBounce(finalReplies, next);
        }

        @Override
        public void retryAt(long recipientId, int attempts, java.time.Instant next, String lastError) {
            queue.retryAt(recipientId, attempts, next, lastError);
        }

        @Override
        public long size() {
            return queue.size();
        }

        @Override
        public QueueSummary summary(int maxDestinations) {
            return queue.summary(maxDestinations);
        }

        @Override
        public void close() {
            // the test's own queue is closed after each test
        }
    }

    @Test
    void anAttemptWhoseEarlySignatureFailedSignsItself() throws Exception {
        outbound = delivery(peers.remoteDelivery(sender)::deliver);
        int before = peers.inbox(bob).size();
        java.time.Instant claim = peers.clock.instant().plus(Duration.ofMinutes(5));
        QueuedCopy copy = new QueuedCopy(ALICE, List.of(bob), new byte[0],
                MessageBody.of(FederationPeers.unsignedMessage(bob)), peers.clock.instant(), claim, true);
        Committed committed = mail.commit(new Acceptance(List.of(), Optional.of(copy)));
        outbound.committed(copy, committed.queued().orElseThrow(),
                CompletableFuture.failedFuture(new IllegalStateException("signing failed")));
        outbound.runDue();

        assertThat(peers.inbox(bob)).hasSize(before + 1);
        assertThat(outbound.queued()).isZero();
    }

    @Test
    void aLargeCopyQueuedUnsignedInAFileIsSignedAndStreamedAfterItsSignature() throws Exception {
        List<byte[]> sent = new CopyOnWriteArrayList<>();
        outbound = delivery((domain, from, recipients, message) -> {
            try {
                assertThat(message.inMemory()).as("a queue file is streamed, not read whole").isEmpty();
                sent.add(message.readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Map.of(recipients.getFirst(), RecipientResult.DELIVERED);
        });
        StringBuilder large = new StringBuilder(new String(FederationPeers.unsignedMessage(bob), StandardCharsets.US_ASCII));
        while (large.length() < 200_000) {
            large.append("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n");
        }
        byte[] message = large.toString().getBytes(StandardCharsets.US_ASCII);
        commitUnsigned(message, true, null);
        outbound.runDue();

        assertThat(sent).hasSize(1);
        String out = new String(sent.getFirst(), StandardCharsets.US_ASCII);
        assertThat(out).startsWith("DKIM-Signature: ").contains("d=" + SENDER_DOMAIN + ";").contains("a=rsa-sha256;");
        assertThat(out).as("the queued copy after the signature").endsWith(large.toString());
        assertThat(out.substring(0, out.length() - large.length())).as("only the field on top").endsWith(";\r\n");
    }

    /** Not a signature the relay could make itself: only the one handed over can be on top. */
    private static final byte[] EARLY = "DKIM-Signature: v=1; made beside the commit\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Commits an unsigned queue copy of {@code message} to bob, hands it to {@link #outbound} with
     * {@link #EARLY} as the signature made beside the commit, and runs what is due.
     */
    private void commitUnsignedAndRunTheAttempt(byte[] message) throws Exception {
        java.time.Instant claim = peers.clock.instant().plus(Duration.ofMinutes(5));
        QueuedCopy copy = new QueuedCopy(ALICE, List.of(bob), new byte[0], MessageBody.of(message), peers.clock.instant(),
                claim, true);
        Committed committed = mail.commit(new Acceptance(List.of(), Optional.of(copy)));
        outbound.committed(copy, committed.queued().orElseThrow(), CompletableFuture.completedFuture(EARLY));
        outbound.runDue();
    }
}
