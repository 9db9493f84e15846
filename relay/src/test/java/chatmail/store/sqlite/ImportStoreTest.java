package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.ImportedMessage;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageBody;
import chatmail.store.MessageInfo;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's import block (MIG-1): values kept as the old server had them, idempotent. */
class ImportStoreTest {
    private static final LocalDate TODAY = LocalDate.of(2025, 3, 10);
    private static final String HASH = "{SHA512-CRYPT}$6$salt$hash";
    private static final int LARGE = BodyFiles.INLINE_LIMIT + 5_000;

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    private SqliteMailStore store;

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dataDir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long bodyFileCount() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static ImportedMessage message(long uid, byte[] content, String... flags) {
        return new ImportedMessage(uid, Set.of(flags), Instant.parse("2025-01-0" + (uid % 9 + 1) + "T08:00:00Z"),
                MessageBody.of(content));
    }

    @Test
    void accountKeepsItsHashAndDaysAndASecondImportOnlyMovesTheLastLoginForward() {
        LocalDate lastLogin = TODAY.minusDays(40);
        Account imported = store.importAccount("old@example.org", HASH, lastLogin, lastLogin);

        assertThat(imported.passwordHash()).isEqualTo(HASH);
        assertThat(imported.lastLogin()).isEqualTo(lastLogin);
        assertThat(imported.created()).isEqualTo(lastLogin);
        assertThat(store.mailbox(imported.id(), "INBOX")).isPresent();

        Account again = store.importAccount("old@example.org", "{SHA512-CRYPT}$6$other$hash", TODAY, TODAY.minusDays(50));
        assertThat(again.id()).isEqualTo(imported.id());
        assertThat(again.passwordHash()).as("an existing account keeps its hash").isEqualTo(HASH);
        assertThat(again.lastLogin()).as("never moved back").isEqualTo(lastLogin);

        assertThat(store.importAccount("old@example.org", HASH, TODAY, TODAY.minusDays(2)).lastLogin())
                .isEqualTo(TODAY.minusDays(2));
        assertThat(store.accountCount()).isEqualTo(1);
    }

    @Test
    void mailboxTakesTheOldCountersAndUidNextOnlyRises() {
        Account account = store.importAccount("old@example.org", HASH, TODAY, TODAY);

        Mailbox inbox = store.importMailbox(account.id(), "INBOX", 1_700_000_000L, 42);
        assertThat(inbox.uidValidity()).as("a pristine INBOX adopts the old UIDVALIDITY").isEqualTo(1_700_000_000L);
        assertThat(store.snapshot(inbox.id()).uidNext()).isEqualTo(42);

        Mailbox folder = store.importMailbox(account.id(), "DeltaChat", 1_600_000_000L, 7);
        assertThat(folder.uidValidity()).isEqualTo(1_600_000_000L);
        assertThat(store.snapshot(folder.id()).uidNext()).isEqualTo(7);

        store.importMailbox(account.id(), "INBOX", 1_700_000_000L, 30);
        assertThat(store.snapshot(inbox.id()).uidNext()).as("never lowered").isEqualTo(42);
        store.importMailbox(account.id(), "INBOX", 1_700_000_000L, 50);
        assertThat(store.snapshot(inbox.id()).uidNext()).isEqualTo(50);

        StoredMessage delivered = store.deliver(new NewMessage(TestMessages.message(1, 200), clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of()))).getFirst();
        assertThat(delivered.uid()).as("new mail continues at the old UIDNEXT").isEqualTo(50);
    }

    @Test
    void mailboxThatHeldMessagesKeepsItsOwnUidValidity() {
        Account account = store.importAccount("old@example.org", HASH, TODAY, TODAY);
        Mailbox inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
        store.deliver(new NewMessage(TestMessages.message(1, 200), clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of())));

        Mailbox after = store.importMailbox(account.id(), "INBOX", 1_700_000_000L, 99);

        assertThat(after.uidValidity()).isEqualTo(inbox.uidValidity()).isNotEqualTo(1_700_000_000L);
        assertThat(store.snapshot(inbox.id()).uidNext()).as("nothing changed").isEqualTo(2);
    }

    @Test
    void outOfRangeCountersAreRefused() {
        Account account = store.importAccount("old@example.org", HASH, TODAY, TODAY);
        assertThatThrownBy(() -> store.importMailbox(account.id(), "X", 0, 1)).hasMessageContaining("UIDVALIDITY");
        assertThatThrownBy(() -> store.importMailbox(account.id(), "X", 1L << 32, 1)).hasMessageContaining("UIDVALIDITY");
        assertThatThrownBy(() -> store.importMailbox(account.id(), "X", 5, 0)).hasMessageContaining("UIDNEXT");
        assertThat(store.mailbox(account.id(), "X")).isEmpty();
        assertThatThrownBy(() -> new ImportedMessage(0, Set.of(), Instant.EPOCH, MessageBody.of(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesKeepUidsFlagsAndDatesAndASecondImportAddsOnlyNewUids() throws IOException {
        Account account = store.importAccount("old@example.org", HASH, TODAY, TODAY);
        Mailbox inbox = store.importMailbox(account.id(), "INBOX", 1_700_000_000L, 3);
        byte[] small = TestMessages.message(3, 300);
        byte[] large = TestMessages.message(9, LARGE);

        List<Long> stored = store.importMessages(inbox.id(), List.of(
                message(9, large, "\\Seen", "$Label1"), message(3, small, "\\Deleted")));

        assertThat(stored).containsExactly(3L, 9L);
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.uidNext()).as("above the highest UID stored").isEqualTo(10);
        assertThat(snapshot.messages()).extracting(MessageInfo::uid).containsExactly(3L, 9L);
        assertThat(snapshot.messages().get(0).flags()).containsExactly("\\Deleted");
        assertThat(snapshot.messages().get(1).flags()).containsExactlyInAnyOrder("\\Seen", "$Label1");
        assertThat(snapshot.messages().get(1).internalDate()).isEqualTo(Instant.parse("2025-01-01T08:00:00Z"));
        assertThat(snapshot.messages()).extracting(MessageInfo::size).containsExactly(300L, (long) LARGE);
        assertThat(store.content(inbox.id(), 3)).isEqualTo(small);
        assertThat(store.content(inbox.id(), 9)).isEqualTo(large);
        assertThat(bodyFileCount()).isEqualTo(1);
        long modseq = snapshot.highestModseq();

        byte[] newer = TestMessages.message(12, LARGE);
        List<Long> again = store.importMessages(inbox.id(), List.of(
                message(9, TestMessages.message(99, LARGE)), message(3, small), message(12, newer)));

        assertThat(again).as("only the new UID").containsExactly(12L);
        assertThat(store.content(inbox.id(), 9)).as("an existing UID is never overwritten").isEqualTo(large);
        assertThat(bodyFileCount()).as("no file left for the skipped large body").isEqualTo(2);
        MailboxSnapshot after = store.snapshot(inbox.id());
        assertThat(after.uidNext()).isEqualTo(13);
        assertThat(after.highestModseq()).isGreaterThan(modseq);
        assertThat(store.importMessages(inbox.id(), List.of(message(12, newer)))).isEmpty();
        assertThat(store.snapshot(inbox.id()).highestModseq()).as("nothing new, no new MODSEQ")
                .isEqualTo(after.highestModseq());
    }

    @Test
    void deviceTokensKeepTheTimeTheyWereSet() {
        Account account = store.importAccount("old@example.org", HASH, TODAY, TODAY);
        Instant older = clock.instant().minus(Duration.ofDays(80));
        Instant newer = clock.instant().minus(Duration.ofDays(1));

        store.importMetadataValue(account.id(), "/private/devicetoken", "token-b", newer, newer.plus(Duration.ofDays(90)), 20);
        store.importMetadataValue(account.id(), "/private/devicetoken", "token-a", older, older.plus(Duration.ofDays(90)), 20);

        assertThat(store.metadataValues(account.id(), "/private/devicetoken", clock.instant()))
                .as("least recently set first").containsExactly("token-a", "token-b");
        assertThat(store.metadataValues(account.id(), "/private/devicetoken", clock.instant().plus(Duration.ofDays(15))))
                .as("the older token expires 90 days after it was set").containsExactly("token-b");
    }
}
