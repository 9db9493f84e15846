package chatmail.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCALE-3: PostgreSQL restarts (stopped the hard way, {@code -m immediate}) while senders keep
 * submitting through two nodes. Submissions during the outage are refused with a temporary
 * error or lose their connection, the nodes reconnect by themselves, and every message that got
 * its {@code 250} is in the recipient's INBOX exactly once afterwards.
 */
class PostgresRestartUnderLoadTest {
    static final int SENDERS_PER_NODE = 2;
    static final int ACKS_BEFORE = 20;
    static final int ACKS_AFTER = 20;

    @TempDir
    Path dir;

    @Test
    void aPostgresqlRestartUnderLoadLosesNoAcknowledgedMessageAndStoresNoneTwice() throws Exception {
        StorageSettings database = TestPostgres.get().newDatabase();
        List<TestRelay> nodes = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        try {
            for (String address : List.of("127.0.0.2", "127.0.0.3")) {
                nodes.add(TestRelay.start(dir.resolve(address), b -> {
                    b.listenAddresses = List.of(address);
                    b.storage = database;
                    b.maxUserSendBurstSize = 100_000;
                    b.maxUserSendPerMinute = 100_000;
                }));
            }
            String bob = TestRelay.address("bob000001");
            // The first login makes the account; mail for an address without one is not stored.
            try (SmtpClient c = SmtpClient.connectTls(new InetSocketAddress(nodes.getFirst().host(),
                    nodes.getFirst().port("submissions")))) {
                c.expect(c.readReply(), 220);
                c.expect(c.ehlo(), 250);
                c.expect(c.authPlain(bob, SmtpFixtures.PASSWORD), 235);
            }
            Set<String> acknowledged = new ConcurrentSkipListSet<>();
            // Submissions refused or cut off: a node may also hold a submission until PostgreSQL is back.
            AtomicInteger refused = new AtomicInteger();
            CountDownLatch before = new CountDownLatch(ACKS_BEFORE);
            AtomicBoolean restarting = new AtomicBoolean();
            // Sends that began before the restart and ended after it began: the load ran across it.
            AtomicInteger spanning = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean();
            CountDownLatch after = new CountDownLatch(ACKS_AFTER);
            AtomicInteger sequence = new AtomicInteger();
            for (TestRelay node : nodes) {
                InetSocketAddress submissions = new InetSocketAddress(node.host(), node.port("submissions"));
                for (int i = 0; i < SENDERS_PER_NODE; i++) {
                    String alice = TestRelay.address("alice" + senders.size() + "001");
                    senders.add(Thread.ofVirtual().start(() -> {
                        while (!stop.get()) {
                            try (SmtpClient c = SmtpClient.connectTls(submissions)) {
                                c.expect(c.readReply(), 220);
                                c.expect(c.ehlo(), 250);
                                if (c.authPlain(alice, SmtpFixtures.PASSWORD).code() != 235) {
                                    refused.incrementAndGet();
                                    continue;
                                }
                                while (!stop.get()) {
                                    String id = "restart" + sequence.incrementAndGet() + "@test";
                                    byte[] message = SubmissionKillTest.withId(SmtpFixtures.encrypted(alice, bob), id);
                                    boolean beganBefore = !restarting.get();
                                    int code;
                                    try {
                                        code = c.sendMail(alice, List.of(bob), message).code();
                                    } finally {
                                        if (beganBefore && restarting.get()) {
                                            spanning.incrementAndGet();
                                        }
                                    }
                                    if (code == 250) {
                                        acknowledged.add(id);
                                        (restarted.get() ? after : before).countDown();
                                    } else {
                                        // A transaction refused half-way stays open; a new connection starts clean.
                                        refused.incrementAndGet();
                                        break;
                                    }
                                }
                            } catch (IOException | RuntimeException e) {
                                // PostgreSQL went away under the session, or the node closed it: connect again.
                                refused.incrementAndGet();
                            }
                        }
                    }));
                }
            }
            assertThat(before.await(120, TimeUnit.SECONDS)).as("acknowledgements before the restart").isTrue();

            restarting.set(true);
            TestPostgres.get().restart();
            restarted.set(true);

            assertThat(after.await(120, TimeUnit.SECONDS))
                    .as("acknowledgements after the restart: the nodes reconnected (%d refused so far)", refused.get())
                    .isTrue();
            stop.set(true);
            for (Thread t : senders) {
                t.join();
            }
            assertThat(spanning.get()).as("submissions in flight when the restart began").isPositive();

            List<String> stored = new ArrayList<>();
            for (byte[] m : StoredMail.inbox(nodes.getFirst(), bob)) {
                stored.add(SubmissionKillTest.messageId(m));
            }
            assertThat(stored).as("every acknowledged submission is stored").containsAll(acknowledged);
            assertThat(stored).as("and stored once").doesNotHaveDuplicates();
        } finally {
            stop.set(true);
            nodes.forEach(TestRelay::close);
        }
    }
}
