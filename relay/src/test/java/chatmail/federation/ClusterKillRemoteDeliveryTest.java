package chatmail.federation;

import static chatmail.federation.TwoRelays.DOMAIN1;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.delivery.outbound.OutboundSettings;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.dkim.DkimKeyFiles;
import chatmail.mime.HeaderSection;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.StoredMail;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.testing.ChildJvm;
import chatmail.testing.MutableClock;
import chatmail.testing.RelayChild;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCALE-3 end to end: relay1.test runs as two nodes on one PostgreSQL database, node A in a JVM
 * of its own that the test kills with SIGKILL while senders submit to it, node B in this JVM;
 * they deliver to relay2.test (SQLite, another domain) found through NSD. Whatever A
 * acknowledged reaches relay2.test exactly once, counted by Message-ID in its store:
 * <ul>
 *   <li>A killed before it reached relay2.test: its entries stay claimed by A until the claim
 *       lease runs out, then B delivers each once;
 *   <li>A killed after it recorded its deliveries: B, past every lease A could have held, sends
 *       nothing again.
 * </ul>
 * The lease is {@code outbound_attempt_timeout} plus a minute; every test relay's clock stands
 * still, so B's clock is moved past it instead of the test waiting half an hour (as
 * PostgresQueueClaimsTest does with its instants). A's clock starts where B's does.
 *
 * <p>Deliberately not tested: a kill after relay2.test answered {@code 250} (or /mxdeliv
 * {@code 200}) and before A removed the entry. B then delivers a second copy: delivery is at
 * least once, as with every MTA (docs/scale-out.md says so). Phase 1 keeps A from sending any
 * byte of a message (relay2.test's SMTP port is a tarpit that never greets, its HTTPS port is
 * closed); phase 2 kills A only once the shared queue is empty.
 */
class ClusterKillRemoteDeliveryTest {
    static final int SENDERS = 4;
    static final int ACKS_BEFORE_KILL = 16;
    static final int DELIVERED_BEFORE_KILL = 20;
    static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");
    static final OutboundDelivery.Round NOTHING = new OutboundDelivery.Round(0, 0, 0, 0);

    @TempDir
    static Path dir;

    static TwoRelays net;

    @BeforeAll
    static void dnsCaAndRelay2() throws Exception {
        net = new TwoRelays(dir, false);
        net.startRelay2(true, true);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void entriesOfANodeKilledBeforeItReachedTheRemoteRelayAreDeliveredThereOnceByAnotherNode() throws Exception {
        String bob = TwoRelays.account(net.relay2, "bobtarpit");
        String alice = "alicetarp@" + DOMAIN1;
        net.stopRelay2();
        StorageSettings database = TestPostgres.get().newDatabase();
        Set<String> acknowledged = new ConcurrentSkipListSet<>();
        List<String> queued;
        try (Tarpit tarpit = new Tarpit(TwoRelays.IP2, net.ports.smtp(), 0);
                TestRelay b = startNodeB("b-tarpit", database)) {
            Process a = startNodeA("a-tarpit", database);
            List<Thread> senders;
            try {
                int port = RelayChild.awaitReady(a).get("submissions");
                CountDownLatch enough = new CountDownLatch(ACKS_BEFORE_KILL);
                AtomicInteger sequence = new AtomicInteger();
                senders = IntStream.range(0, SENDERS).mapToObj(i -> Thread.ofVirtual().start(() -> {
                    try (SmtpClient c = SmtpClient.ready(port, true)) {
                        c.expect(c.authPlain(alice, TwoRelays.PASSWORD), 235);
                        while (true) {
                            String id = "tarpit" + sequence.incrementAndGet() + "@" + DOMAIN1;
                            if (c.sendMail(alice, List.of(bob), SmtpFixtures.deltaChatMessage(alice, bob, id).sent())
                                    .code() == 250) {
                                acknowledged.add(id);
                                enough.countDown();
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the node is gone
                    }
                })).toList();
                assertThat(enough.await(60, TimeUnit.SECONDS)).as("acknowledgements before the kill").isTrue();
                // A's attempts are under way (and stuck before the greeting) while it keeps accepting.
                tarpit.firstConnection().get(60, TimeUnit.SECONDS);
            } finally {
                a.destroyForcibly();
                assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            for (Thread t : senders) {
                t.join();
            }

            queued = queuedMessageIds(database);
            assertThat(queued).as("every acknowledged message queued once").containsAll(acknowledged)
                    .doesNotHaveDuplicates();
            assertThat(b.relay().outbound().runDue()).as("A's claims hold until their lease runs out").isEqualTo(NOTHING);

            tarpit.close();
            net.startRelay2(true, true);
            try (var arrival = TwoRelays.arrivals(net.relay2, bob, queued.size())) {
                b.clock().advance(lease(b).plusSeconds(1));
                b.relay().outbound().wake();
                arrival.await(60);
            }
            b.relay().outbound().runDue(); // waits for B's attempts still recording their outcome
            assertThat(b.relay().outbound().queued()).as("the shared queue").isZero();
        }
        assertThat(messageIds(bob)).as("at relay2.test, each exactly once").containsExactlyInAnyOrderElementsOf(queued);
    }

    @Test
    void messagesANodeDeliveredBeforeItWasKilledAreNotDeliveredAgain() throws Exception {
        if (net.relay2 == null) {
            net.startRelay2(true, true);
        }
        String bob = TwoRelays.account(net.relay2, "bobonce01");
        String alice = "aliceonce@" + DOMAIN1;
        StorageSettings database = TestPostgres.get().newDatabase();
        Set<String> sent = new ConcurrentSkipListSet<>();
        try (TestRelay b = startNodeB("b-once", database)) {
            Process a = startNodeA("a-once", database);
            try {
                int port = RelayChild.awaitReady(a).get("submissions");
                try (var arrival = TwoRelays.arrivals(net.relay2, bob, DELIVERED_BEFORE_KILL)) {
                    List<Thread> senders = IntStream.range(0, SENDERS).mapToObj(i -> Thread.ofVirtual().start(() -> {
                        try (SmtpClient c = SmtpClient.ready(port, true)) {
                            c.expect(c.authPlain(alice, TwoRelays.PASSWORD), 235);
                            for (int n = i; n < DELIVERED_BEFORE_KILL; n += SENDERS) {
                                String id = "once" + n + "@" + DOMAIN1;
                                c.expect(c.sendMail(alice, List.of(bob), SmtpFixtures.deltaChatMessage(alice, bob, id)
                                        .sent()), 250);
                                sent.add(id);
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })).toList();
                    for (Thread t : senders) {
                        t.join();
                    }
                    assertThat(sent).hasSize(DELIVERED_BEFORE_KILL);
                    arrival.await(60);
                }
                // relay2.test committed each; A removes an entry once it has the answer.
                awaitEmpty(b);
            } finally {
                a.destroyForcibly();
                assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            b.clock().advance(lease(b).plusSeconds(1));
            // A whole claim round of B after every lease of A ran out: nothing left to take.
            assertThat(b.relay().outbound().runDue()).isEqualTo(NOTHING);
            assertThat(b.relay().outbound().queued()).isZero();
        }
        assertThat(messageIds(bob)).as("at relay2.test, each exactly once").containsExactlyInAnyOrderElementsOf(sent);
    }

    /** Node B: relay1.test in this JVM on relay 1's address and ports, its clock where A's starts. */
    private static TestRelay startNodeB(String name, StorageSettings database) throws IOException {
        Path data = nodeDir(name);
        return net.startRelay(DOMAIN1, new MutableClock(), b -> {
            b.dataDir = data;
            b.storage = database;
        });
    }

    /** Node A: relay1.test from an operator's chatmail.ini, in a JVM of its own on ephemeral ports. */
    private static Process startNodeA(String name, StorageSettings database) throws IOException {
        Path data = nodeDir(name);
        Path ini = dir.resolve(name + ".ini");
        Files.writeString(ini, "[params]\nmail_domain = " + DOMAIN1 + "\ndata_dir = " + data
                + "\nstorage = postgresql\npostgresql_url = " + database.postgresqlUrl()
                + "\npostgresql_password_file = " + database.postgresqlPasswordFile()
                + "\nlisten_addresses = 127.0.0.1"
                + "\ntls_external_cert_and_key = " + net.chain(DOMAIN1) + " " + net.key(DOMAIN1)
                + "\ndns_resolver = " + net.nsd.resolverSetting()
                + "\ntrusted_ca_file = " + net.caFile
                + "\noutbound_smtp_port = " + net.ports.smtp()
                + "\noutbound_https_port = " + net.ports.https()
                + "\nallow_private_destinations = true"
                + "\nnotify_url = http://127.0.0.1:9/notify"
                + "\nacme_directory = " + TestRelay.NO_ACME
                + "\nmax_user_send_per_minute = 10000\nmax_user_send_burst_size = 10000\n");
        return new ProcessBuilder(ChildJvm.command(RelayChild.class, "--config", ini.toString()))
                .redirectError(dir.resolve(name + "-stderr.txt").toFile())
                .start();
    }

    /** A node's data directory with relay1.test's DKIM key, deployed alike on every node. */
    private static Path nodeDir(String name) throws IOException {
        Path dkim = Files.createDirectories(DkimKeyFiles.directory(dir.resolve(name)));
        try (var keys = Files.list(DkimKeyFiles.directory(net.dataDir(DOMAIN1)))) {
            for (Path key : keys.toList()) {
                Files.copy(key, dkim.resolve(key.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return dir.resolve(name);
    }

    private static Duration lease(TestRelay node) {
        return OutboundSettings.of(node.config()).claimLease();
    }

    /** The Message-IDs of what the shared queue holds, one per queued message. */
    private static List<String> queuedMessageIds(StorageSettings database) {
        try (PostgresDatabase db = PostgresDatabase.open(database, 1)) {
            PostgresOutboundQueueStore queue = new PostgresOutboundQueueStore(db);
            List<String> ids = new ArrayList<>();
            for (long messageId : queue.due(FAR_FUTURE, 10_000).stream().map(QueuedRecipient::messageId).distinct().toList()) {
                ids.add(messageId(queue.message(messageId)));
            }
            return ids;
        }
    }

    /** The Message-IDs in the INBOX at relay2.test, one per stored copy. */
    private static List<String> messageIds(String address) {
        return StoredMail.inbox(net.relay2, address).stream().map(ClusterKillRemoteDeliveryTest::messageId).toList();
    }

    private static String messageId(byte[] message) {
        return HeaderSection.parse(message).first("Message-ID").replaceAll("[<>]", "");
    }

    /**
     * Waits until the shared queue is empty: another process removes the entries and nothing
     * tells this one, so it looks again until then.
     */
    private static void awaitEmpty(TestRelay node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (node.relay().outbound().queued() > 0) {
            assertThat(System.nanoTime() - deadline).as("the shared queue empties").isNegative();
            Thread.sleep(20);
        }
    }
}
