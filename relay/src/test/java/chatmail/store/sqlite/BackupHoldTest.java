package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.Mailbox;
import chatmail.store.NewMessage;
import chatmail.store.StoredMessage;
import chatmail.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's side of a backup (MIG-2): while a backup process holds, body files released by
 * expunges stay on disk (listed for the backup); letting go unlinks them; a hold left by a backup
 * that died runs out, and the next start cleans up.
 */
class BackupHoldTest {
    private static final int LARGE = BodyFiles.INLINE_LIMIT + 1_000;

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));

    private long bodyFileCount() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static StoredMessage deliver(SqliteMailStore store, Mailbox inbox, long seed) {
        return store.deliver(new NewMessage(TestMessages.message(seed, LARGE), Instant.now()),
                List.of(new DeliveryTarget(inbox.id(), Set.of()))).getFirst();
    }

    @Test
    void releasedFilesStayWhileABackupHoldsAndGoWhenItLetsGo() throws IOException {
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, clock);
                SqliteBackupSource backup = SqliteBackupSource.open(dataDir)) {
            Account account = store.createAccountIfAbsent("a@example.org", "h", LocalDate.of(2025, 3, 10));
            Mailbox inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
            StoredMessage first = deliver(store, inbox, 1);
            StoredMessage second = deliver(store, inbox, 2);

            backup.hold(Duration.ofMinutes(5));
            SqliteBackupSource.Snapshot snapshot = backup.snapshot(dataDir.resolve("snapshot.sqlite"));
            assertThat(snapshot.bodyFiles()).hasSize(2);
            store.expunge(inbox.id(), List.of(first.uid(), second.uid()));
            assertThat(bodyFileCount()).as("held for the backup").isEqualTo(2);
            for (String file : snapshot.bodyFiles()) {
                assertThat(dataDir.resolve(file)).exists();
            }

            assertThat(backup.release()).isEqualTo(2);
            assertThat(bodyFileCount()).isZero();

            StoredMessage third = deliver(store, inbox, 3);
            store.expunge(inbox.id(), List.of(third.uid()));
            assertThat(bodyFileCount()).as("no hold: unlinked at once").isZero();
        }
    }

    @Test
    void aHoldOfABackupThatDiedRunsOutAndTheNextStartCleansUp() throws IOException {
        SqliteMailStore store = SqliteMailStore.open(dataDir, clock);
        Mailbox inbox;
        try (SqliteBackupSource backup = SqliteBackupSource.open(dataDir)) {
            Account account = store.createAccountIfAbsent("a@example.org", "h", LocalDate.of(2025, 3, 10));
            inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
            StoredMessage message = deliver(store, inbox, 1);
            backup.hold(Duration.ofMinutes(5));
            store.expunge(inbox.id(), List.of(message.uid()));
            // The backup stalls and never lets go: a relay start meanwhile keeps the file.
            store.close();
            store = SqliteMailStore.open(dataDir, clock);
            store.close();
            assertThat(bodyFileCount()).as("a start while the hold lasts keeps the file").isEqualTo(1);
            backup.renew(Duration.ZERO); // its time runs out
        }
        store = SqliteMailStore.open(dataDir, clock);
        try {
            assertThat(bodyFileCount()).as("no live hold at start: the released file goes").isZero();
            StoredMessage next = deliver(store, inbox, 2);
            store.expunge(inbox.id(), List.of(next.uid()));
            assertThat(bodyFileCount()).as("an expired hold does not hold").isZero();
        } finally {
            store.close();
        }
    }
}
