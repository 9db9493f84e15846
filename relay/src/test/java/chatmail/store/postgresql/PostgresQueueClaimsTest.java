package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.push.PostgresPushQueueStore;
import chatmail.push.PushJob;
import chatmail.store.Account;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Queue claims of several nodes on one database (SCALE-2): each node here has its own pool, as
 * separate processes would. Two nodes claiming at once never get the same entry, and a dead
 * node's entries come back when its lease runs out.
 */
class PostgresQueueClaimsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    private final List<PostgresDatabase> nodes = new ArrayList<>();

    @BeforeEach
    void twoNodes() {
        StorageSettings database = TestPostgres.get().newDatabase();
        nodes.add(PostgresDatabase.open(database, 4));
        nodes.add(PostgresDatabase.open(database, 4));
    }

    @AfterEach
    void close() {
        nodes.forEach(PostgresDatabase::close);
    }

    @Test
    void twoNodesClaimingOutboundEntriesAtOnceNeverTakeTheSameOne() throws Exception {
        PostgresOutboundQueueStore first = new PostgresOutboundQueueStore(nodes.get(0));
        Instant now = clock.instant();
        Set<Long> queued = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            List<String> recipients = IntStream.range(0, 10).mapToObj(r -> "r" + r + "@dest" + r + ".test").toList();
            first.add("s@chatmail.localhost", recipients, "message".getBytes(), now, null).forEach(e -> queued.add(e.id()));
        }
        ConcurrentLinkedQueue<Long> claimed = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> claimers = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (PostgresDatabase node : nodes) {
                for (int worker = 0; worker < 3; worker++) {
                    PostgresOutboundQueueStore queue = new PostgresOutboundQueueStore(node);
                    claimers.add(executor.submit(() -> {
                        go.await();
                        List<QueuedRecipient> batch;
                        do {
                            batch = queue.claimDue(now, now.plus(Duration.ofMinutes(5)), 7);
                            batch.forEach(e -> claimed.add(e.id()));
                        } while (!batch.isEmpty());
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> claimer : claimers) {
                claimer.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(claimed).hasSize(200).doesNotHaveDuplicates();
        assertThat(new HashSet<>(claimed)).isEqualTo(queued);
        assertThat(first.size()).as("claimed, not removed").isEqualTo(200);
    }

    @Test
    void aDeadNodesOutboundEntriesAreTakenOverWhenItsLeaseRunsOut() {
        PostgresOutboundQueueStore dying = new PostgresOutboundQueueStore(nodes.get(0));
        PostgresOutboundQueueStore survivor = new PostgresOutboundQueueStore(nodes.get(1));
        Instant now = clock.instant();
        Instant lease = now.plus(Duration.ofSeconds(30));
        // Accepted on the dying node and claimed in the same write, as a submission does.
        List<QueuedRecipient> entries = dying.add("s@chatmail.localhost", List.of("x@remote.test"), "m".getBytes(), now, lease);

        assertThat(survivor.claimDue(now.plusSeconds(29), now.plusSeconds(60), 10)).isEmpty();
        assertThat(survivor.nextDue()).contains(lease);
        List<QueuedRecipient> taken = survivor.claimDue(lease, lease.plusSeconds(30), 10);
        assertThat(taken).extracting(QueuedRecipient::id).containsExactly(entries.getFirst().id());
        assertThat(survivor.message(taken.getFirst().messageId())).isEqualTo("m".getBytes());
        survivor.remove(List.of(taken.getFirst().id()));
        assertThat(survivor.size()).isZero();
        assertThat(dying.claimDue(lease.plusSeconds(60), lease.plusSeconds(90), 10)).as("delivered once").isEmpty();
    }

    /** A submission's copy queued before its DKIM signature was made says so to whichever node sends it. */
    @Test
    void aCopyQueuedUnsignedIsMarkedForSigningAtSendTime() throws Exception {
        PostgresMailStore store = new PostgresMailStore(nodes.get(0), clock, events -> { }, true);
        PostgresOutboundQueueStore queue = new PostgresOutboundQueueStore(nodes.get(1));
        byte[] body = "From: <a@x.org>\r\nTo: <b@y.org>\r\n\r\nhello\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long unsigned = store.commit(new chatmail.store.Acceptance(List.of(), java.util.Optional.of(new chatmail.store.QueuedCopy(
                "a@x.org", List.of("b@y.org"), new byte[0], chatmail.store.MessageBody.of(body), clock.instant(), null, true))))
                .queued().orElseThrow().messageId();
        long signed = queue.add("a@x.org", List.of("c@y.org"), body, clock.instant(), null).getFirst().messageId();

        assertThat(queue.queuedContent(unsigned).signAtSend()).isTrue();
        assertThat(queue.queuedContent(unsigned).body().readAllBytes()).isEqualTo(body);
        assertThat(queue.queuedContent(signed).signAtSend()).as("queued as it goes out").isFalse();
    }

    /** The daily expiry's turn: of nodes asking at once exactly one gets it; a dead holder's lease runs out. */
    @Test
    void aOnceOnlyJobsLeaseGoesToOneNodeAtATime() throws Exception {
        Instant now = clock.instant();
        Instant until = now.plus(Duration.ofHours(20));
        List<Leases> contenders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            contenders.add(new Leases(nodes.get(i % 2)));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> tries = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Leases leases : contenders) {
                tries.add(executor.submit(() -> {
                    go.await();
                    return leases.tryTake("expiry", now, until);
                }));
            }
            go.countDown();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < tries.size(); i++) {
                if (tries.get(i).get(60, TimeUnit.SECONDS)) {
                    winners.add(i);
                }
            }
            assertThat(winners).hasSize(1);
            Leases holder = contenders.get(winners.getFirst());
            Leases other = contenders.get((winners.getFirst() + 1) % contenders.size());
            assertThat(holder.tryTake("expiry", now.plusSeconds(60), until.plusSeconds(60))).as("the holder renews").isTrue();
            assertThat(other.tryTake("expiry", until, until.plus(Duration.ofHours(20)))).as("still held").isFalse();
            assertThat(other.tryTake("expiry", until.plusSeconds(60), until.plus(Duration.ofHours(20))))
                    .as("the holder died: its lease ran out").isTrue();
            assertThat(holder.tryTake("expiry", until.plusSeconds(61), until.plus(Duration.ofHours(21)))).isFalse();
            assertThat(holder.tryTake("acme", now, until)).as("another job, another lease").isTrue();
        }
    }

    @Test
    void aNodeThatStopsInOrderReleasesItsClaimsAtOnce() {
        PostgresOutboundQueueStore stopping = new PostgresOutboundQueueStore(nodes.get(0));
        PostgresOutboundQueueStore other = new PostgresOutboundQueueStore(nodes.get(1));
        Instant now = clock.instant();
        List<QueuedRecipient> mine = stopping.add("s@chatmail.localhost", List.of("x@a.test"), "m".getBytes(), now,
                now.plus(Duration.ofMinutes(31)));
        List<QueuedRecipient> theirs = other.add("s@chatmail.localhost", List.of("y@b.test"), "m".getBytes(), now,
                now.plus(Duration.ofMinutes(31)));
        assertThat(other.claimDue(now, now.plusSeconds(60), 10)).isEmpty();

        stopping.close();

        assertThat(other.claimDue(now, now.plusSeconds(60), 10)).extracting(QueuedRecipient::id)
                .containsExactly(mine.getFirst().id());
        assertThat(stopping.claimDue(now, now.plusSeconds(60), 10)).as("the other node's own claim stays")
                .isEmpty();
        assertThat(theirs).hasSize(1);
    }

    @Test
    void pushJobsAreSentByOneNodeAtATimeAndADeadNodesJobComesBack() {
        PostgresMailStore store = new PostgresMailStore(nodes.get(0), clock, events -> { }, false);
        Account account = store.createAccountIfAbsent("bob123456@chatmail.localhost", "h", LocalDate.of(2025, 3, 10));
        PostgresPushQueueStore one = new PostgresPushQueueStore(nodes.get(0));
        PostgresPushQueueStore two = new PostgresPushQueueStore(nodes.get(1));
        Instant now = clock.instant();
        one.add(account.id(), List.of("tok1", "tok2"), now);

        List<PushJob> first = one.due(now, 10);
        assertThat(first).extracting(PushJob::token).containsExactly("tok1", "tok2");
        assertThat(two.due(now, 10)).as("claimed by the first node").isEmpty();
        assertThat(one.due(now, 10)).as("and not handed out twice").isEmpty();

        one.finish(first.get(0));
        // The first node dies with tok2 in flight: the second takes it when the lease ends.
        Instant leaseEnd = now.plus(PostgresPushQueueStore.LEASE);
        assertThat(two.nextDueAfter(now)).contains(leaseEnd);
        assertThat(two.due(leaseEnd.minusMillis(1), 10)).isEmpty();
        assertThat(two.due(leaseEnd, 10)).extracting(PushJob::token).containsExactly("tok2");
        assertThat(two.size()).isEqualTo(1);
    }

    @Test
    void aDeliveryThatJoinsAJobInFlightOnAnotherNodeLeavesItDueForAnyNode() {
        PostgresMailStore store = new PostgresMailStore(nodes.get(0), clock, events -> { }, false);
        Account account = store.createAccountIfAbsent("bob123456@chatmail.localhost", "h", LocalDate.of(2025, 3, 10));
        PostgresPushQueueStore one = new PostgresPushQueueStore(nodes.get(0));
        PostgresPushQueueStore two = new PostgresPushQueueStore(nodes.get(1));
        Instant now = clock.instant();
        one.add(account.id(), List.of("tok"), now);
        PushJob inFlight = one.due(now, 10).getFirst();

        two.add(account.id(), List.of("tok"), now.plusSeconds(1));
        one.finish(inFlight);

        assertThat(two.due(now.plusSeconds(1), 10)).extracting(PushJob::token).containsExactly("tok");
    }
}
