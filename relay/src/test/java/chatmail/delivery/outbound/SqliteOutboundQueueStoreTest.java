package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.Committed;
import chatmail.store.DeliveryTarget;
import chatmail.store.MessageBody;
import chatmail.store.NewMessage;
import chatmail.store.QueuedCopy;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims and ids of the outbound queue on SQLite: what keeps one entry from two attempts at once. */
class SqliteOutboundQueueStoreTest {

    static final Instant T0 = Instant.parse("2025-11-26T08:00:00Z");
    static final byte[] MESSAGE = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aClaimedEntryIsNotDueForAnotherClaimUntilItsOutcomeIsRecordedOrTheClaimRunsOut() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            Instant until = T0.plus(Duration.ofMinutes(31));
            QueuedRecipient claimed = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, until).getFirst();
            QueuedRecipient free = store.add("a@x.org", List.of("c@z.org"), MESSAGE, T0, null).getFirst();

            assertThat(store.claimDue(T0, until, 10)).extracting(QueuedRecipient::id).containsExactly(free.id());
            assertThat(store.claimDue(T0, until, 10)).as("both claimed now").isEmpty();
            assertThat(store.nextDue()).as("due again when the claims run out").contains(until);
            assertThat(store.claimDue(until, until.plus(Duration.ofMinutes(31)), 10)).hasSize(2);

            store.retryAt(claimed.id(), 1, T0.plus(Duration.ofMinutes(1)), "451 4.3.0 later");
            assertThat(store.nextDue()).as("the outcome ends the claim").contains(T0.plus(Duration.ofMinutes(1)));
        }
    }

    @Test
    void claimsOfAnEarlierRunAreVoidAfterARestart() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, T0.plus(Duration.ofMinutes(31)));
            assertThat(store.claimDue(T0, T0.plus(Duration.ofMinutes(31)), 10)).isEmpty();
        }
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            assertThat(store.claimDue(T0, T0.plus(Duration.ofMinutes(31)), 10)).as("a crash left it claimed").hasSize(1);
        }
    }

    @Test
    void anIdIsNeverGivenAgainAfterItsEntryWentAway() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            long first = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, null).getFirst().id();
            store.remove(List.of(first));
            long second = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, null).getFirst().id();
            assertThat(second).as("an attempt that just ended may still hold %d", first).isGreaterThan(first);
        }
    }

    @Test
    void aSubmissionsEntriesAreClaimedInItsOneCommitWhichHandsBackTheirIds() {
        MutableClock clock = new MutableClock(T0);
        try (SqliteMailStore mail = SqliteMailStore.open(dir, clock);
                SqliteOutboundQueueStore queue = SqliteOutboundQueueStore.open(dir)) {
            Account alice = mail.createAccountIfAbsent("alice@x.org", "{SHA512-CRYPT}$6$x", LocalDate.of(2025, 11, 26));
            long inbox = mail.mailbox(alice.id(), "INBOX").orElseThrow().id();
            Instant until = T0.plus(Duration.ofMinutes(31));
            QueuedCopy copy = new QueuedCopy("alice@x.org", List.of("b@y.org", "c@Z.org"), new byte[0],
                    MessageBody.of(MESSAGE), T0, until);
            Committed committed = mail.commit(new Acceptance(
                    List.of(new Acceptance.Copy(new NewMessage(MESSAGE, T0), List.of(new DeliveryTarget(inbox, Set.of())))),
                    Optional.of(copy)));

            assertThat(committed.copies().getFirst()).as("the local copy").hasSize(1);
            List<QueuedRecipient> queued = queue.due(T0, 10);
            assertThat(queued).extracting(QueuedRecipient::recipient).containsExactly("b@y.org", "c@Z.org");
            assertThat(queued).extracting(QueuedRecipient::domain).containsExactly("y.org", "z.org");
            assertThat(committed.queued().orElseThrow().recipientIds())
                    .as("the ids the pipeline hands to the destinations, in the order of the recipients")
                    .containsExactlyElementsOf(queued.stream().map(QueuedRecipient::id).toList());
            assertThat(committed.queued().orElseThrow().messageId()).isEqualTo(queued.getFirst().messageId());
            assertThat(queue.claimDue(T0, until, 10)).as("claimed by the accepting node in that commit").isEmpty();
            assertThat(queue.nextDue()).contains(until);

            // A bounce the store could not take: the entry waits unclaimed, with its final reply.
            queue.holdForBounce(Map.of(queued.getFirst().id(), "550 5.1.1 no such user"), T0.plus(Duration.ofMinutes(1)));
            List<QueuedRecipient> bounceOnly = queue.claimDue(T0.plus(Duration.ofMinutes(1)), until, 10);
            assertThat(bounceOnly).extracting(QueuedRecipient::finalReply).containsExactly("550 5.1.1 no such user");
        }
    }

    @Test
    void aCopyQueuedUnsignedIsMarkedForSigningAtSendTimeInARowAndInAFile() throws Exception {
        byte[] large = new byte[100_000];
        java.util.Arrays.fill(large, (byte) 'a');
        try (SqliteMailStore mail = SqliteMailStore.open(dir, new MutableClock(T0));
                SqliteOutboundQueueStore queue = SqliteOutboundQueueStore.open(dir)) {
            long small = mail.commit(new Acceptance(List.of(), Optional.of(new QueuedCopy("a@x.org", List.of("b@y.org"),
                    new byte[0], MessageBody.of(MESSAGE), T0, null, true)))).queued().orElseThrow().messageId();
            long inFile = mail.commit(new Acceptance(List.of(), Optional.of(new QueuedCopy("a@x.org", List.of("b@y.org"),
                    new byte[0], MessageBody.of(large), T0, null, true)))).queued().orElseThrow().messageId();
            long signed = queue.add("a@x.org", List.of("c@y.org"), MESSAGE, T0, null).getFirst().messageId();

            assertThat(queue.queuedContent(small).signAtSend()).isTrue();
            assertThat(queue.queuedContent(small).body().readAllBytes()).isEqualTo(MESSAGE);
            assertThat(queue.queuedContent(inFile).signAtSend()).isTrue();
            assertThat(queue.queuedContent(inFile).body().readAllBytes()).isEqualTo(large);
            assertThat(queue.queuedContent(signed).signAtSend()).as("queued as it goes out").isFalse();
        }
    }

    @Test
    void aQueuedMessageAndItsFileGoWithItsLastEntryAndNoOtherMessageGoes() throws Exception {
        byte[] large = new byte[100_000];
        java.util.Arrays.fill(large, (byte) 'a');
        try (SqliteMailStore mail = SqliteMailStore.open(dir, new MutableClock(T0));
                SqliteOutboundQueueStore queue = SqliteOutboundQueueStore.open(dir)) {
            Committed two = mail.commit(new Acceptance(List.of(), Optional.of(new QueuedCopy("a@x.org",
                    List.of("b@y.org", "c@z.org"), new byte[0], MessageBody.of(large), T0, null))));
            long other = queue.add("a@x.org", List.of("d@y.org"), MESSAGE, T0, null).getFirst().messageId();
            List<Long> entries = two.queued().orElseThrow().recipientIds();
            long message = two.queued().orElseThrow().messageId();
            Path queueDir = dir.resolve("queue");
            try (var files = java.nio.file.Files.list(queueDir)) {
                assertThat(files.toList()).as("the large body as a queue file").hasSize(1);
            }

            queue.remove(List.of(entries.get(0)));
            assertThat(queue.message(message)).as("one entry left: the message stays").hasSize(large.length);
            try (var files = java.nio.file.Files.list(queueDir)) {
                assertThat(files.toList()).hasSize(1);
            }

            queue.remove(List.of(entries.get(1)));
            try (var files = java.nio.file.Files.list(queueDir)) {
                assertThat(files.toList()).as("the last entry took the file").isEmpty();
            }
            assertThat(queue.due(FAR_FUTURE, 10)).extracting(QueuedRecipient::messageId).containsExactly(other);
            assertThat(queue.message(other)).isEqualTo(MESSAGE);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteOutboundQueueStore.FILE_NAME));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM outbound_messages")) {
            List<Long> left = new ArrayList<>();
            while (rs.next()) {
                left.add(rs.getLong(1));
            }
            assertThat(left).as("the rows of outbound_messages").hasSize(1);
        }
    }

    @Test
    void theMigrationToAutoincrementKeepsEveryQueuedEntryWithItsIdAndColumns() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve(SqliteOutboundQueueStore.FILE_NAME);
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("5").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO outbound_messages (id, sender, content, created_at) VALUES (7, 'a@x.org', x'41', 1)");
            s.executeUpdate("INSERT INTO outbound_recipients (id, message_id, recipient, domain, attempts, next_attempt_at,"
                    + " last_error, final_reply) VALUES (41, 7, 'b@y.org', 'y.org', 3, 5, '451 later', NULL),"
                    + " (42, 7, 'c@z.org', 'z.org', 1, 6, NULL, '550 5.1.1 no such user')");
        }
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            List<QueuedRecipient> kept = store.due(FAR_FUTURE, 10);
            assertThat(kept).containsExactly(
                    new QueuedRecipient(41, 7, "a@x.org", "b@y.org", "y.org", 3, Instant.ofEpochMilli(1),
                            Instant.ofEpochMilli(5), "451 later", null),
                    new QueuedRecipient(42, 7, "a@x.org", "c@z.org", "z.org", 1, Instant.ofEpochMilli(1),
                            Instant.ofEpochMilli(6), null, "550 5.1.1 no such user"));
            store.remove(List.of(42L));
            long next = store.add("a@x.org", List.of("d@y.org"), MESSAGE, T0, null).getFirst().id();
            assertThat(next).as("42 went, and is not given again").isEqualTo(43);
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM pragma_table_info('outbound_recipients') ORDER BY cid")) {
            List<String> columns = new ArrayList<>();
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
            assertThat(columns).containsExactly("id", "message_id", "recipient", "domain", "attempts", "next_attempt_at",
                    "last_error", "final_reply", "claimed_until");
        }
    }

    static final Instant FAR_FUTURE = Instant.parse("9999-01-01T00:00:00Z");
}
