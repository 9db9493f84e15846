package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.StorageSettings;
import chatmail.store.DeliveryTarget;
import chatmail.store.Mailbox;
import chatmail.store.MessageInfo;
import chatmail.store.NewMessage;
import chatmail.store.StoredMessage;
import chatmail.store.sqlite.TestMessages;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the one delivery statement promises beyond the store contract: lock order and repeated mailboxes. */
class MessageRowsTest {
    private static final LocalDate TODAY = LocalDate.of(2025, 3, 10);
    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    private String database;
    private PostgresMailStore store;

    @BeforeEach
    void open() {
        StorageSettings settings = TestPostgres.get().newDatabase();
        database = settings.postgresqlUrl().replaceAll(".*/([^/?]+)\\?.*", "$1");
        store = new PostgresMailStore(PostgresDatabase.open(settings, 4), clock, events -> { }, true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Mailbox inbox(String address) {
        long id = store.createAccountIfAbsent(address, "hash", TODAY).id();
        return store.mailbox(id, "INBOX").orElseThrow();
    }

    /**
     * With the highest mailbox held by another transaction, a delivery listing it first must
     * already hold the two lower ones while it waits: mailbox rows are locked in id order, so two
     * deliveries to the same mailboxes cannot deadlock, in whatever order their targets come.
     */
    @ParameterizedTest
    @ValueSource(ints = {2_000, 600_000})
    void mailboxRowsAreLockedInIdOrder(int size) throws Exception {
        Mailbox a = inbox("a@example.org");
        Mailbox b = inbox("b@example.org");
        Mailbox c = inbox("c@example.org");
        assertThat(List.of(a.id(), b.id(), c.id())).isSorted();
        try (Connection holder = TestPostgres.get().connect(database);
                Connection probe = TestPostgres.get().connect(database)) {
            holder.setAutoCommit(false);
            lock(holder, c.id(), false);
            var delivery = CompletableFuture.supplyAsync(() -> store.deliver(
                    new NewMessage(TestMessages.message(1, size), clock.instant()),
                    List.of(new DeliveryTarget(c.id(), Set.of()), new DeliveryTarget(a.id(), Set.of()),
                            new DeliveryTarget(b.id(), Set.of()))));
            awaitWaiterBehind(probe, pid(holder), delivery);

            assertThatThrownBy(() -> lock(probe, a.id(), true)).as("a is held").isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("55P03");
            assertThatThrownBy(() -> lock(probe, b.id(), true)).as("b is held").isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("55P03");

            holder.rollback();
            List<StoredMessage> stored = delivery.get(60, TimeUnit.SECONDS);
            assertThat(stored).extracting(StoredMessage::mailboxId).containsExactly(c.id(), a.id(), b.id());
            assertThat(stored).extracting(StoredMessage::uid).containsExactly(1L, 1L, 1L);
        }
    }

    /** A mailbox named twice gets two messages, one body for all: the function this replaced allowed it. */
    @ParameterizedTest
    @ValueSource(ints = {2_000, 600_000})
    void aMailboxNamedTwiceGetsTwoMessages(int size) {
        Mailbox a = inbox("a@example.org");
        Mailbox b = inbox("b@example.org");
        byte[] content = TestMessages.message(2, size);

        List<StoredMessage> stored = store.deliver(new NewMessage(content, clock.instant()), List.of(
                new DeliveryTarget(b.id(), Set.of("\\Seen")), new DeliveryTarget(a.id(), Set.of()),
                new DeliveryTarget(b.id(), Set.of())));

        assertThat(stored).extracting(StoredMessage::mailboxId).containsExactly(b.id(), a.id(), b.id());
        assertThat(stored.get(0).uid()).isNotEqualTo(stored.get(2).uid());
        List<MessageInfo> inB = store.snapshot(b.id()).messages();
        assertThat(inB).extracting(MessageInfo::uid).containsExactlyInAnyOrder(stored.get(0).uid(), stored.get(2).uid());
        assertThat(inB.stream().filter(m -> m.uid() == stored.get(0).uid()).findFirst().orElseThrow().flags())
                .containsExactly("\\Seen");
        assertThat(store.usage(b.accountId())).isEqualTo(2L * size);
        assertThat(store.statistics(TODAY).bytes()).as("one body").isEqualTo(size);
        store.expunge(b.id(), List.of(stored.get(0).uid(), stored.get(2).uid()));
        store.expunge(a.id(), List.of(stored.get(1).uid()));
        assertThat(store.statistics(TODAY).bytes()).as("three references, all released").isZero();
    }

    /** Past the statements made once (16 mailboxes), one is made for the delivery. */
    /**
     * The targets are sorted by mailbox id once, for the statement; what comes back is in the
     * caller's order, each message in its own target's mailbox with that target's flags.
     */
    @ParameterizedTest
    @ValueSource(ints = {2_000, 600_000})
    void theMessagesComeBackInTheCallersOrderWithTheirOwnFlags(int size) {
        Mailbox a = inbox("a@example.org");
        Mailbox b = inbox("b@example.org");
        Mailbox c = inbox("c@example.org");

        List<StoredMessage> stored = store.deliver(new NewMessage(TestMessages.message(3, size), clock.instant()), List.of(
                new DeliveryTarget(c.id(), Set.of("\\Seen")), new DeliveryTarget(a.id(), Set.of("\\Flagged")),
                new DeliveryTarget(b.id(), Set.of()), new DeliveryTarget(c.id(), Set.of("\\Answered"))));

        assertThat(stored).extracting(StoredMessage::mailboxId).containsExactly(c.id(), a.id(), b.id(), c.id());
        assertThat(flags(c, stored.get(0))).containsExactly("\\Seen");
        assertThat(flags(a, stored.get(1))).containsExactly("\\Flagged");
        assertThat(flags(b, stored.get(2))).isEmpty();
        assertThat(flags(c, stored.get(3))).containsExactly("\\Answered");
    }

    private Set<String> flags(Mailbox mailbox, StoredMessage message) {
        return store.snapshot(mailbox.id()).messages().stream().filter(m -> m.uid() == message.uid()).findFirst()
                .orElseThrow().flags();
    }

    @Test
    void aGroupOfTwentyGetsOneMessageEach() {
        List<Mailbox> inboxes = java.util.stream.IntStream.range(0, 20).mapToObj(i -> inbox("m" + i + "@example.org"))
                .toList();
        List<StoredMessage> stored = store.deliver(new NewMessage(TestMessages.message(3, 2_000), clock.instant()),
                inboxes.reversed().stream().map(m -> new DeliveryTarget(m.id(), Set.of())).toList());
        assertThat(stored).extracting(StoredMessage::mailboxId)
                .containsExactlyElementsOf(inboxes.reversed().stream().map(Mailbox::id).toList());
        for (Mailbox inbox : inboxes) {
            assertThat(store.snapshot(inbox.id()).messages()).extracting(MessageInfo::uid).containsExactly(1L);
        }
    }

    private static void lock(Connection c, long mailboxId, boolean noWait) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM mailboxes WHERE id = ? FOR UPDATE"
                + (noWait ? " NOWAIT" : ""))) {
            s.setLong(1, mailboxId);
            s.executeQuery().close();
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** PostgreSQL tells no one when a backend starts waiting on a lock: asked until one does. */
    private static void awaitWaiterBehind(Connection probe, int holder, CompletableFuture<?> delivery)
            throws Exception {
        try (PreparedStatement s = probe.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE ? = ANY (pg_blocking_pids(pid))")) {
            s.setInt(1, holder);
            while (true) {
                assertThat(delivery).as("the delivery waits for the held mailbox").isNotDone();
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }
}
