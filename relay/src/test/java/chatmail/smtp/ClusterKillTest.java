package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.store.postgresql.PostgresMailStore;
import chatmail.testing.ChildJvm;
import chatmail.testing.RelayChild;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCALE-3: a node on PostgreSQL killed with SIGKILL while senders keep submitting (to a local
 * and a remote recipient) loses no acknowledged message: each is in the INBOX and queued once,
 * a message is either both or neither, and every queued entry is due for another node once the
 * dead node's claim has run out.
 */
class ClusterKillTest {
    static final int SENDERS = 4;
    static final int ACKS_BEFORE_KILL = 24;
    static final String REMOTE = "carol@remote.example";
    static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aKilledNodeLosesNoAcknowledgedMessageAndLeavesItsQueueToTheOthers() throws Exception {
        StorageSettings database = TestPostgres.get().newDatabase();
        Process child = new ProcessBuilder(ChildJvm.command(RelayChild.class, dir.resolve("node").toString(),
                database.postgresqlUrl(), database.postgresqlPasswordFile().toString()))
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        String alice = TestRelay.address("alice0001");
        String bob = TestRelay.address("bob000001");
        Set<String> acknowledged = new ConcurrentSkipListSet<>();
        CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
        AtomicInteger sequence = new AtomicInteger();
        List<Thread> senders;
        try {
            int port = RelayChild.awaitReady(child).get("submissions");
            try (SmtpClient c = SmtpClient.ready(port, true)) {
                c.expect(c.authPlain(bob, SmtpFixtures.PASSWORD), 235);
            }
            senders = java.util.stream.IntStream.range(0, SENDERS).mapToObj(i -> Thread.ofVirtual().start(() -> {
                try (SmtpClient c = SmtpClient.ready(port, true)) {
                    c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                    while (true) {
                        int n = sequence.incrementAndGet();
                        String id = "kill" + n + "@test";
                        // Every other message spans several body chunks.
                        byte[] message = SubmissionKillTest.withId(n % 2 == 0 ? SmtpFixtures.encrypted(alice, bob)
                                : SmtpFixtures.encrypted(alice, bob, 600_000), id);
                        if (c.sendMail(alice, List.of(bob, REMOTE), message).code() == 250) {
                            acknowledged.add(id);
                            enough.countDown();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the node is gone
                }
            })).toList();
            assertThat(enough.await(120, TimeUnit.SECONDS)).as("acknowledgements before the kill").isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Thread t : senders) {
            t.join();
        }

        try (PostgresDatabase db = PostgresDatabase.open(database, 2)) {
            Set<String> local = new TreeSet<>();
            for (byte[] m : StoredMail.inbox(new PostgresMailStore(db, Clock.systemUTC(), events -> { }, false), bob)) {
                local.add(SubmissionKillTest.messageId(m));
            }
            PostgresOutboundQueueStore queue = new PostgresOutboundQueueStore(db);
            List<String> queued = new java.util.ArrayList<>();
            for (long messageId : queue.due(FAR_FUTURE, 10_000).stream().map(QueuedRecipient::messageId).distinct().toList()) {
                var content = queue.queuedContent(messageId);
                byte[] m = content.body().readAllBytes();
                // Queued before its DKIM signature is made (beside the commit): whoever sends it signs it.
                assertThat(content.signAtSend()).as("queued for signing at send time").isTrue();
                assertThat(new String(m, StandardCharsets.US_ASCII)).as("queued copy, whole").doesNotStartWith("DKIM-Signature:")
                        .contains("-----END PGP MESSAGE-----");
                queued.add(SubmissionKillTest.messageId(m));
            }
            assertThat(local).as("every acknowledged submission is stored").containsAll(acknowledged);
            assertThat(queued).as("and queued once").containsAll(acknowledged).doesNotHaveDuplicates();
            assertThat(local).as("stored exactly when queued: no half submission").isEqualTo(new TreeSet<>(queued));

            // The dead node's claims are leases: once they have run out, another node takes every entry.
            List<QueuedRecipient> takenOver = queue.claimDue(FAR_FUTURE, FAR_FUTURE.plusSeconds(60), 10_000);
            assertThat(takenOver).extracting(QueuedRecipient::recipient).containsOnly(REMOTE).hasSize(queued.size());
        }
    }
}
