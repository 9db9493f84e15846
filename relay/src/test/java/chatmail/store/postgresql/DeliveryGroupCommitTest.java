package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.StorageSettings;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.MailboxEvents.MessagesAdded;
import chatmail.store.Mailbox;
import chatmail.store.NewMessage;
import chatmail.store.StoreException;
import chatmail.store.StoredMessage;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries that wait together share one PostgreSQL transaction (issue 16), and one that fails
 * takes none of the others with it. The first delivery is held on a mailbox row lock taken by
 * another connection, so the ones after it are certainly queued together when it is let go.
 */
class DeliveryGroupCommitTest {
    private static final LocalDate TODAY = LocalDate.of(2025, 3, 10);
    private static final long MISSING_MAILBOX = 9_999_999;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    private final List<List<MailboxEvent>> committed = new CopyOnWriteArrayList<>();
    private StorageSettings settings;
    private PostgresDatabase db;
    private PostgresMailStore store;

    @BeforeEach
    void open() {
        settings = TestPostgres.get().newDatabase();
        db = PostgresDatabase.open(settings, 4);
        store = new PostgresMailStore(db, clock, committed::add, true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void deliveriesQueuedTogetherShareOneCommitAndAFailingOneFailsAlone() throws Exception {
        Mailbox a = inbox("a@example.org");
        Mailbox b = inbox("b@example.org");
        try (Connection blocker = db.dedicatedConnection("test-blocker");
                ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement s = blocker.prepareStatement("SELECT id FROM mailboxes WHERE id = ? FOR UPDATE")) {
                s.setLong(1, a.id());
                s.executeQuery().close();
            }
            Future<StoredMessage> first = senders.submit(() -> deliver(a.id(), 0));
            awaitWaitersOnALock(blocker, 1);

            List<Future<StoredMessage>> queued = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                long mailbox = i % 2 == 0 ? a.id() : b.id();
                int seed = i;
                queued.add(senders.submit(() -> deliver(mailbox, seed)));
            }
            Future<StoredMessage> failing = senders.submit(() -> deliver(MISSING_MAILBOX, 99));
            awaitQueued(11);
            blocker.commit();

            assertThat(first.get(60, TimeUnit.SECONDS).uid()).isEqualTo(1);
            Map<Long, TreeSet<Long>> uids = new TreeMap<>();
            for (Future<StoredMessage> f : queued) {
                StoredMessage m = f.get(60, TimeUnit.SECONDS);
                uids.computeIfAbsent(m.mailboxId(), id -> new TreeSet<>()).add(m.uid());
            }
            assertThat(uids).containsEntry(a.id(), new TreeSet<>(List.of(2L, 3L, 4L, 5L, 6L)))
                    .containsEntry(b.id(), new TreeSet<>(List.of(1L, 2L, 3L, 4L, 5L)));
            assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StoreException.class).hasMessage("no such mailbox");
        }

        // Two commits: the held delivery alone, then the ten together; the failed one stored nothing.
        assertThat(committed).hasSize(2);
        assertThat(committed.get(0)).containsExactly(new MessagesAdded(a.accountId(), a.id(), List.of(1L)));
        assertThat(committed.get(1)).hasSize(10).allMatch(e -> e instanceof MessagesAdded);
        assertThat(count("SELECT count(*) FROM bodies")).isEqualTo(11);
        assertThat(count("SELECT count(*) FROM messages")).isEqualTo(11);
        assertThat(store.snapshot(a.id()).uidNext()).isEqualTo(7);
        assertThat(store.snapshot(b.id()).uidNext()).isEqualTo(6);
    }

    @Test
    void aDeliveryAloneInTheQueueIsCommittedAtOnce() {
        Mailbox a = inbox("a@example.org");
        assertThat(deliver(a.id(), 1).uid()).isEqualTo(1);
        assertThat(deliver(a.id(), 2).uid()).isEqualTo(2);
        assertThat(committed).hasSize(2);
    }

    @Test
    void aClosedStoreRefusesADeliveryAndLosesNoneItAccepted() {
        Mailbox a = inbox("a@example.org");
        assertThat(deliver(a.id(), 1).uid()).isEqualTo(1);
        store.close();
        assertThatThrownBy(() -> deliver(a.id(), 2)).isInstanceOf(StoreException.class).hasMessage("store is closed");
        store = new PostgresMailStore(PostgresDatabase.open(settings, 1), clock, e -> { }, true);
        assertThat(store.snapshot(a.id()).messages()).hasSize(1);
    }

    private Mailbox inbox(String address) {
        long account = store.createAccountIfAbsent(address, "hash-" + address, TODAY).id();
        return store.mailbox(account, "INBOX").orElseThrow();
    }

    private StoredMessage deliver(long mailboxId, int seed) {
        byte[] content = ("Subject: " + seed + "\r\n\r\nbody " + seed + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return store.deliver(new NewMessage(content, clock.instant()), List.of(new DeliveryTarget(mailboxId, Set.of())))
                .getFirst();
    }

    /** Polls PostgreSQL's own view: a lock wait has no event a client can await. */
    private static void awaitWaitersOnALock(Connection c, int waiters) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock'");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getInt(1) >= waiters) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("a delivery waiting on the held mailbox row").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Polls the writer's queue: the senders' threads hand their deliveries over with no other signal. */
    private void awaitQueued(int deliveries) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (store.deliveriesWaiting() < deliveries) {
            assertThat(System.nanoTime()).as(deliveries + " deliveries queued").isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(store.deliveriesWaiting()).isEqualTo(deliveries);
    }

    private long count(String sql) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
