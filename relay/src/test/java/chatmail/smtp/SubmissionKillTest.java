package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.delivery.outbound.SqliteOutboundQueueStore;
import chatmail.mime.HeaderSection;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.ChildJvm;
import chatmail.testing.DirectoryWatch;
import chatmail.testing.RelayChild;
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
 * Issue 11, the queue-first two-commit window: a submission to a local and a remote recipient
 * stores the local copy and queues the remote one in one commit. Senders keep submitting while
 * the relay is killed with SIGKILL; afterwards every message is either both in the INBOX and in
 * the queue or in neither (so the client's retry neither loses the local copy nor sends the
 * remote one on top of an earlier queued copy), every acknowledged message is in both, and the
 * queue's large bodies are complete with no file left over.
 */
class SubmissionKillTest {

    static final int SENDERS = 4;
    static final int ACKS_BEFORE_KILL = 24;
    static final String REMOTE = "carol@remote.example";
    static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aKilledRelayKeepsEachSubmissionWholeOrNotAtAll() throws Exception {
        Path dataDir = dir.resolve("data");
        Process child = new ProcessBuilder(ChildJvm.command(RelayChild.class, dataDir.toString()))
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
                        // Every other message is large: its body is a file, linked into the queue.
                        byte[] message = withId(n % 2 == 0 ? SmtpFixtures.encrypted(alice, bob)
                                : SmtpFixtures.encrypted(alice, bob, 100_000), id);
                        if (c.sendMail(alice, List.of(bob, REMOTE), message).code() == 250) {
                            acknowledged.add(id);
                            enough.countDown();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the relay is gone
                }
            })).toList();
            assertThat(enough.await(120, TimeUnit.SECONDS)).as("acknowledgements before the kill").isTrue();
        } finally {
            // SIGKILL while the senders keep submitting: no shutdown hook, no close, no flush.
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        for (Thread t : senders) {
            t.join();
        }

        Set<String> local = new TreeSet<>();
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, Clock.systemUTC())) {
            for (byte[] m : StoredMail.inbox(store, bob)) {
                local.add(messageId(m));
            }
        }
        Set<String> queued = new TreeSet<>();
        try (SqliteOutboundQueueStore queue = SqliteOutboundQueueStore.open(dataDir)) {
            for (long messageId : queue.due(FAR_FUTURE, 10_000).stream().map(QueuedRecipient::messageId).distinct().toList()) {
                var content = queue.queuedContent(messageId);
                byte[] m = content.body().readAllBytes();
                // Queued before its DKIM signature is made (beside the commit): whoever sends it signs it.
                assertThat(content.signAtSend()).as("queued for signing at send time").isTrue();
                assertThat(new String(m, StandardCharsets.US_ASCII)).as("queued copy").doesNotStartWith("DKIM-Signature:")
                        .contains("-----END PGP MESSAGE-----");
                queued.add(messageId(m));
            }
            assertThat(DirectoryWatch.list(dataDir.resolve("queue")))
                    .as("queue files: one per large queued message, no leftovers")
                    .hasSizeLessThanOrEqualTo(queued.size());
        }
        assertThat(local).as("every acknowledged submission is stored").containsAll(acknowledged);
        assertThat(queued).as("and queued").containsAll(acknowledged);
        assertThat(local).as("stored exactly when queued: no half submission").isEqualTo(queued);
    }

    static byte[] withId(byte[] message, String id) {
        return new String(message, StandardCharsets.US_ASCII).replaceFirst("Message-ID: <[^>]*>", "Message-ID: <" + id + ">")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static String messageId(byte[] message) {
        return HeaderSection.parse(message).first("Message-ID").replaceAll("[<>]", "");
    }
}
