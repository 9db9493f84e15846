package chatmail.store.sqlite;

import chatmail.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.Mailbox;
import chatmail.store.MailboxChanges;
import chatmail.store.MailboxEvents;
import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.MessageRef;
import chatmail.store.NewMessage;
import chatmail.store.StoreException;
import chatmail.store.StoredMessage;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import java.nio.file.attribute.BasicFileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the SQLite store does (body files, fsync order, its own counters); what every backend
 * must do is in {@link chatmail.store.MailStoreContract}, run on SQLite by
 * {@link SqliteMailStoreContractTest}.
 */
class SqliteMailStoreTest {
    private static final LocalDate TODAY = LocalDate.of(2025, 3, 10);
    private static final int SMALL = 2_000;
    private static final int LARGE = BodyFiles.INLINE_LIMIT + 10_000;

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

    private void reopen() {
        store.close();
        store = SqliteMailStore.open(dataDir, clock);
    }

    private Account account(String address) {
        return store.createAccountIfAbsent(address, "hash-" + address, TODAY);
    }

    private Mailbox inbox(Account account) {
        return store.mailbox(account.id(), "INBOX").orElseThrow();
    }

    private StoredMessage deliver(Mailbox mailbox, byte[] content, String... flags) {
        return store.deliver(new NewMessage(content, clock.instant()),
                List.of(new DeliveryTarget(mailbox.id(), Set.of(flags)))).getFirst();
    }

    private long bodyFileCount() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void deliveredMessagesReadBackInlineAndFromFiles() throws IOException {
        Mailbox inbox = inbox(account("alice@example.org"));
        byte[] small = TestMessages.message(1, SMALL);
        byte[] large = TestMessages.message(2, LARGE);

        StoredMessage first = deliver(inbox, small);
        StoredMessage second = deliver(inbox, large, "\\seen", "$MDNSent");

        assertThat(bodyFileCount()).as("only the large message has a body file").isEqualTo(1);
        assertThat(store.content(inbox.id(), first.uid())).isEqualTo(small);
        assertThat(store.content(inbox.id(), second.uid())).isEqualTo(large);
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.mailbox()).isEqualTo(inbox);
        assertThat(snapshot.uidNext()).isEqualTo(3);
        assertThat(snapshot.messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L);
        assertThat(snapshot.messages()).extracting(MessageInfo::size).containsExactly((long) SMALL, (long) LARGE);
        assertThat(snapshot.messages().get(1).flags()).containsExactlyInAnyOrder("\\Seen", "$MDNSent");
        assertThat(snapshot.messages().get(0).internalDate()).isEqualTo(clock.instant());
        assertThat(store.usage(inbox.accountId())).isEqualTo(SMALL + LARGE);

        reopen();
        assertThat(store.content(inbox.id(), second.uid())).isEqualTo(large);
        assertThat(store.snapshot(inbox.id()).messages()).hasSize(2);
    }

    /** IDLE re-reads only what changed after a delivery, and every kind of removal makes it read all again. */
    @Test
    void changesSinceAreTheNewRowsUntilAMessageGoes() {
        Mailbox inbox = inbox(account("alice@example.org"));
        deliver(inbox, TestMessages.message(1, SMALL));
        deliver(inbox, TestMessages.message(2, SMALL));
        long synced = store.snapshot(inbox.id()).highestModseq();
        deliver(inbox, TestMessages.message(3, SMALL));

        MailboxChanges changes = store.changesSince(inbox.id(), synced).orElseThrow();
        assertThat(changes.changed()).extracting(MessageInfo::uid).containsExactly(3L);
        assertThat(changes.highestModseq()).isEqualTo(store.snapshot(inbox.id()).highestModseq());

        long beforeExpunge = changes.highestModseq();
        store.expunge(inbox.id(), List.of(1L));
        assertThat(store.changesSince(inbox.id(), beforeExpunge)).as("after an IMAP expunge").isEmpty();
        long afterExpunge = store.snapshot(inbox.id()).highestModseq();
        assertThat(store.changesSince(inbox.id(), afterExpunge)).hasValueSatisfying(c -> assertThat(c.changed()).isEmpty());

        store.delete(List.of(new MessageRef(inbox.accountId(), inbox.id(), 2L, SMALL, clock.instant())));
        assertThat(store.changesSince(inbox.id(), afterExpunge)).as("after expiry's delete").isEmpty();

        reopen();
        long now = store.snapshot(inbox.id()).highestModseq();
        deliver(inbox, TestMessages.message(4, SMALL));
        assertThat(store.changesSince(inbox.id(), now).orElseThrow().changed()).extracting(MessageInfo::uid).containsExactly(4L);
    }

    @Test
    void multiTargetDeliveryStoresTheBodyOnceAndExpungeKeepsOtherCopies() throws IOException {
        Mailbox a = inbox(account("a@example.org"));
        Mailbox b = inbox(account("b@example.org"));
        Mailbox c = inbox(account("c@example.org"));
        byte[] large = TestMessages.message(3, LARGE);

        List<StoredMessage> stored = store.deliver(new NewMessage(large, clock.instant()), List.of(
                new DeliveryTarget(a.id(), Set.of()), new DeliveryTarget(b.id(), Set.of()),
                new DeliveryTarget(c.id(), Set.of())));

        assertThat(stored).extracting(StoredMessage::mailboxId).containsExactly(a.id(), b.id(), c.id());
        assertThat(stored).extracting(StoredMessage::accountId)
                .containsExactly(a.accountId(), b.accountId(), c.accountId());
        assertThat(bodyFileCount()).isEqualTo(1);

        store.expunge(a.id(), List.of(stored.get(0).uid()));
        store.deleteAccount(b.accountId());
        assertThat(bodyFileCount()).as("c still holds a copy").isEqualTo(1);
        assertThat(store.content(c.id(), stored.get(2).uid())).isEqualTo(large);

        store.expunge(c.id(), List.of(stored.get(2).uid()));
        assertThat(bodyFileCount()).as("last reference gone").isZero();
    }

    @Test
    void aSpooledBodyIsRenamedIntoPlaceNotCopied() throws IOException {
        Mailbox inbox = inbox(account("alice@example.org"));
        byte[] large = TestMessages.message(5, LARGE);
        BodySpool spool = BodySpool.open(dataDir);
        SpooledBody body;
        try (SpoolWriter writer = spool.newWriter(LARGE)) {
            writer.write(large);
            body = writer.finish();
        }
        Path spooled = body.file().orElseThrow();
        Object spooledInode = Files.readAttributes(spooled, BasicFileAttributes.class).fileKey();

        StoredMessage stored = store.deliver(new NewMessage(body, clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of()))).getFirst();
        body.close();

        assertThat(spooled).as("the spool file moved").doesNotExist();
        assertThat(bodyFileCount()).isEqualTo(1);
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            Path blob = files.filter(Files::isRegularFile).findFirst().orElseThrow();
            assertThat(Files.readAttributes(blob, BasicFileAttributes.class).fileKey())
                    .as("same inode: renamed, not copied").isEqualTo(spooledInode);
        }
        reopen();
        assertThat(store.content(inbox.id(), stored.uid())).isEqualTo(large);
    }

    @Test
    void aSpooledBodyOfAFailedDeliveryLeavesNoFile() throws IOException {
        Mailbox a = inbox(account("a@example.org"));
        BodySpool spool = BodySpool.open(dataDir);
        SpooledBody body;
        try (SpoolWriter writer = spool.newWriter(LARGE)) {
            writer.write(TestMessages.message(6, LARGE));
            body = writer.finish();
        }
        assertThatThrownBy(() -> store.deliver(new NewMessage(body, clock.instant()),
                List.of(new DeliveryTarget(a.id(), Set.of()), new DeliveryTarget(9_999, Set.of()))))
                .isInstanceOf(StoreException.class);
        body.close();
        assertThat(bodyFileCount()).isZero();
        try (Stream<Path> files = Files.list(dataDir.resolve("tmp"))) {
            assertThat(files).isEmpty();
        }
        assertThat(store.snapshot(a.id()).messages()).isEmpty();
    }

    @Test
    void multiTargetDeliveryIsAllOrNothing() throws IOException {
        Mailbox a = inbox(account("a@example.org"));
        long missingMailbox = 9_999;

        assertThatThrownBy(() -> store.deliver(new NewMessage(TestMessages.message(4, LARGE), clock.instant()),
                List.of(new DeliveryTarget(a.id(), Set.of()), new DeliveryTarget(missingMailbox, Set.of()))))
                .isInstanceOf(StoreException.class);

        MailboxSnapshot snapshot = store.snapshot(a.id());
        assertThat(snapshot.messages()).isEmpty();
        assertThat(snapshot.uidNext()).as("the failed delivery took no UID").isEqualTo(1);
        assertThat(bodyFileCount()).as("the uncommitted body file is removed").isZero();
    }




    @Test
    void flagsAreAddedRemovedAndReplacedAsNormalizedSets() {
        Mailbox inbox = inbox(account("alice@example.org"));
        long uid = deliver(inbox, TestMessages.message(1, SMALL), "\\Flagged").uid();

        store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("\\seen", "$Label"));
        assertThat(flagsOf(inbox, uid)).containsExactlyInAnyOrder("\\Flagged", "\\Seen", "$Label");

        store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.REMOVE, Set.of("\\FLAGGED", "$label"));
        assertThat(flagsOf(inbox, uid)).containsExactly("\\Seen");

        List<MessageInfo> replaced =
                store.updateFlags(inbox.id(), List.of(uid, 999L), FlagUpdate.REPLACE, Set.of("\\Deleted", "\\Recent"));
        assertThat(replaced).extracting(MessageInfo::uid).containsExactly(uid);
        assertThat(replaced.getFirst().flags()).containsExactly("\\Deleted");
        assertThat(flagsOf(inbox, uid)).containsExactly("\\Deleted");

        assertThatThrownBy(() -> store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("two words")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Set<String> flagsOf(Mailbox mailbox, long uid) {
        return store.snapshot(mailbox.id()).messages().stream().filter(m -> m.uid() == uid).findFirst()
                .orElseThrow().flags();
    }

    @Test
    void expungeRemovesTheBodyFileOnlyWithTheLastReference() throws IOException {
        Account alice = account("alice@example.org");
        Mailbox inbox = inbox(alice);
        Mailbox archive = store.createMailbox(alice.id(), "Archive");
        byte[] large = TestMessages.message(5, LARGE);
        long uid = deliver(inbox, large, "\\Seen").uid();

        List<StoredMessage> copies = store.copy(inbox.id(), List.of(uid), archive.id());
        assertThat(copies).singleElement().satisfies(copy -> {
            assertThat(copy.mailboxId()).isEqualTo(archive.id());
            assertThat(copy.uid()).isEqualTo(1);
        });
        assertThat(flagsOf(archive, 1)).containsExactly("\\Seen");
        assertThat(store.usage(alice.id())).isEqualTo(2L * LARGE);

        assertThat(store.expunge(inbox.id(), List.of(uid, 77L))).containsExactly(uid);
        assertThat(bodyFileCount()).isEqualTo(1);
        assertThat(store.content(archive.id(), 1)).isEqualTo(large);

        store.expunge(archive.id(), List.of(1L));
        assertThat(bodyFileCount()).isZero();
        assertThat(store.usage(alice.id())).isZero();
        assertThatThrownBy(() -> store.content(archive.id(), 1)).isInstanceOf(StoreException.class);
    }

    @Test
    void copyKeepsTheOrderOfTheRequestedUids() throws IOException {
        Account alice = account("alice@example.org");
        Mailbox inbox = inbox(alice);
        Mailbox trash = store.createMailbox(alice.id(), "Trash");
        long u1 = deliver(inbox, TestMessages.message(1, SMALL)).uid();
        long u2 = deliver(inbox, TestMessages.message(2, SMALL)).uid();

        List<StoredMessage> copies = store.copy(inbox.id(), List.of(u2, u1), trash.id());

        assertThat(copies).extracting(StoredMessage::uid).containsExactly(1L, 2L);
        assertThat(store.content(trash.id(), 1)).isEqualTo(TestMessages.message(2, SMALL));
        assertThat(store.content(trash.id(), 2)).isEqualTo(TestMessages.message(1, SMALL));
    }



    @Test
    void loginsAreRecordedByDay() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        assertThat(alice.created()).isEqualTo(TODAY);
        assertThat(alice.lastLogin()).isEqualTo(TODAY);

        long commits = store.commitCount();
        store.recordLogin(alice.id(), TODAY);
        assertThat(store.commitCount()).as("same day: no write").isEqualTo(commits);

        store.recordLogin(alice.id(), TODAY.plusDays(40));
        assertThat(store.findAccount("alice@example.org").orElseThrow().lastLogin()).isEqualTo(TODAY.plusDays(40));
        store.recordLogin(alice.id(), TODAY.plusDays(3));
        assertThat(store.findAccount("alice@example.org").orElseThrow().lastLogin())
                .as("an older day never overwrites a newer one").isEqualTo(TODAY.plusDays(40));

        assertThat(store.accountsLastLoginBefore(TODAY.plusDays(30), 0, 10)).extracting(Account::id)
                .containsExactly(bob.id());
        assertThat(store.accountsLastLoginBefore(TODAY.plusDays(30), bob.id(), 10)).isEmpty();
        assertThat(store.accountsLastLoginBefore(TODAY.plusDays(41), 0, 1)).extracting(Account::id)
                .as("pages in id order").containsExactly(alice.id());
        assertThat(store.accountsLastLoginBefore(TODAY.plusDays(41), alice.id(), 1)).extracting(Account::id)
                .containsExactly(bob.id());
        assertThat(store.accountsLastLoginBefore(TODAY, 0, 10)).isEmpty();
    }

    @Test
    void deletingAnAccountRemovesEverythingWithItsFiles() throws IOException {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox inbox = inbox(alice);
        deliver(inbox, TestMessages.message(1, LARGE));
        deliver(store.createMailbox(alice.id(), "Sent"), TestMessages.message(2, LARGE));
        deliver(inbox, TestMessages.message(3, SMALL));
        deliver(inbox(bob), TestMessages.message(4, LARGE));
        assertThat(bodyFileCount()).isEqualTo(3);

        store.deleteAccount(alice.id());

        assertThat(store.findAccount("alice@example.org")).isEmpty();
        assertThat(store.mailboxes(alice.id())).isEmpty();
        assertThat(store.usage(alice.id())).isZero();
        assertThat(store.messagesOldestFirst(alice.id(), null, 10)).isEmpty();
        assertThat(bodyFileCount()).as("only bob's file is left").isEqualTo(1);
        assertThat(store.accountCount()).isEqualTo(1);
    }

    /**
     * The store remembers delivery mailboxes; another process on the same file (`chatmail expire`)
     * deletes the account and a new one takes its address: a delivery to the remembered mailbox
     * fails, and the new account gets nothing (ids are never given again).
     */
    @Test
    void anAccountDeletedByAnotherProcessTakesNoDeliveryToItsRememberedMailbox() {
        Account alice = account("alice@example.org");
        long inbox = store.deliveryMailboxId(alice.id(), "INBOX");
        Account again;
        try (SqliteMailStore other = SqliteMailStore.open(dataDir, clock)) {
            other.deleteAccount(alice.id());
            again = other.createAccountIfAbsent("alice@example.org", "hash", TODAY);
        }

        assertThat(store.deliveryMailboxId(alice.id(), "INBOX")).as("remembered").isEqualTo(inbox);
        assertThatThrownBy(() -> store.deliver(new NewMessage(TestMessages.message(1, SMALL), clock.instant()),
                List.of(new DeliveryTarget(inbox, Set.of())))).isInstanceOf(StoreException.class);
        long newInbox = store.deliveryMailboxId(again.id(), "INBOX");
        assertThat(newInbox).isNotEqualTo(inbox);
        assertThat(store.snapshot(newInbox).messages()).isEmpty();
        assertThat(store.usage(again.id())).isZero();
    }

    @Test
    void expiryQueriesFindOldAndLargeSeenMessages() {
        Account alice = account("alice@example.org");
        Mailbox inbox = inbox(alice);
        Instant t0 = clock.instant();
        long oldSeenLarge = deliver(inbox, TestMessages.message(1, 300_000), "\\Seen").uid();
        clock.advance(Duration.ofDays(1));
        long oldUnseenLarge = deliver(inbox, TestMessages.message(2, 300_000)).uid();
        clock.advance(Duration.ofDays(1));
        long oldSeenSmall = deliver(inbox, TestMessages.message(3, SMALL), "\\Seen").uid();
        clock.advance(Duration.ofDays(10));
        long recentSeenLarge = deliver(inbox, TestMessages.message(4, 300_000), "\\Seen").uid();
        Instant cutoff = t0.plus(Duration.ofDays(5));

        assertThat(store.messagesReceivedBefore(cutoff, null, 10)).extracting(MessageRef::uid)
                .containsExactly(oldSeenLarge, oldUnseenLarge, oldSeenSmall);
        assertThat(store.seenMessagesLargerThan(200_000, cutoff, null, 10)).singleElement().satisfies(ref -> {
            assertThat(ref.uid()).isEqualTo(oldSeenLarge);
            assertThat(ref.accountId()).isEqualTo(alice.id());
            assertThat(ref.mailboxId()).isEqualTo(inbox.id());
            assertThat(ref.size()).isEqualTo(300_000);
            assertThat(ref.internalDate()).isEqualTo(t0);
        });
        List<MessageRef> oldestFirst = store.messagesOldestFirst(alice.id(), null, 10);
        assertThat(oldestFirst).extracting(MessageRef::uid)
                .containsExactly(oldSeenLarge, oldUnseenLarge, oldSeenSmall, recentSeenLarge);

        store.delete(oldestFirst.subList(0, 2));
        assertThat(store.snapshot(inbox.id()).messages()).extracting(MessageInfo::uid)
                .containsExactly(oldSeenSmall, recentSeenLarge);
    }

    @Test
    void expiryPagesGoOnAfterTheLastReferenceAlsoWhenItsPredecessorsWereDeleted() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox aliceInbox = inbox(alice);
        Mailbox bobInbox = inbox(bob);
        // Same instant in two mailboxes: the order goes on by mailbox and UID.
        for (int i = 0; i < 3; i++) {
            deliver(aliceInbox, TestMessages.message(i, SMALL), "\\Seen");
            deliver(bobInbox, TestMessages.message(10 + i, 300_000), "\\Seen");
            clock.advance(Duration.ofSeconds(1));
        }
        Instant cutoff = clock.instant();

        List<MessageRef> all = new ArrayList<>();
        MessageRef after = null;
        List<MessageRef> page;
        while (!(page = store.messagesReceivedBefore(cutoff, after, 2)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(2);
            all.addAll(page);
            store.delete(page);
            after = page.getLast();
        }
        assertThat(all).extracting(r -> r.mailboxId() + "/" + r.uid()).containsExactly(
                aliceInbox.id() + "/1", bobInbox.id() + "/1", aliceInbox.id() + "/2", bobInbox.id() + "/2",
                aliceInbox.id() + "/3", bobInbox.id() + "/3");
        assertThat(store.messagesReceivedBefore(cutoff, null, 10)).isEmpty();

        for (int i = 0; i < 3; i++) {
            deliver(bobInbox, TestMessages.message(20 + i, i == 1 ? SMALL : 300_000), "\\Seen");
        }
        List<MessageRef> large = new ArrayList<>();
        after = null;
        while (!(page = store.seenMessagesLargerThan(200_000, clock.instant().plusSeconds(1), after, 1)).isEmpty()) {
            large.addAll(page);
            after = page.getLast();
        }
        assertThat(large).extracting(MessageRef::uid).containsExactly(4L, 6L);

        List<MessageRef> bobs = new ArrayList<>();
        after = null;
        while (!(page = store.messagesOldestFirst(bob.id(), after, 2)).isEmpty()) {
            bobs.addAll(page);
            after = page.getLast();
        }
        assertThat(bobs).extracting(MessageRef::uid).containsExactly(5L, 4L, 6L);
    }

    /**
     * The totals the metrics read are kept by triggers (V12), not counted: after every kind of
     * change they must equal what a count over the tables gives.
     */
    @Test
    void theKeptTotalsEqualACountAfterEveryKindOfChange() throws Exception {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox aliceInbox = inbox(alice);
        Mailbox bobInbox = inbox(bob);
        assertTotalsCounted("empty");

        deliverSharedLargeBody(aliceInbox, bobInbox);
        StoredMessage small = deliver(aliceInbox, TestMessages.message(2, SMALL));
        deliver(bobInbox, TestMessages.message(3, SMALL));
        assertTotalsCounted("delivered, one body shared");

        Mailbox sent = store.createMailbox(alice.id(), "Sent");
        store.copy(aliceInbox.id(), List.of(small.uid()), sent.id());
        assertTotalsCounted("copied");

        store.expunge(aliceInbox.id(), List.of(small.uid()));
        assertTotalsCounted("expunged, the copy holds the body");

        store.delete(store.messagesOldestFirst(bob.id(), null, 10).subList(0, 1));
        assertTotalsCounted("deleted by reference");

        store.deleteAccount(alice.id());
        assertTotalsCounted("an account's cascade");

        reopen();
        assertTotalsCounted("after a restart");
        assertThat(store.statistics(TODAY).messages()).isEqualTo(1);
        assertThat(store.statistics(TODAY).bytes()).as("bob's one message is all that is left")
                .isEqualTo(store.snapshot(bobInbox.id()).messages().getFirst().size());
    }

    /** Message 1, larger than what is kept inline, delivered to both mailboxes at once: one body file for two copies. */
    private void deliverSharedLargeBody(Mailbox first, Mailbox second) {
        store.deliver(new NewMessage(TestMessages.message(1, LARGE), clock.instant()),
                List.of(new DeliveryTarget(first.id(), Set.of()), new DeliveryTarget(second.id(), Set.of())));
    }

    private void assertTotalsCounted(String after) throws java.sql.SQLException {
        long messages;
        long bytes;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME));
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(
                     "SELECT (SELECT count(*) FROM messages), (SELECT coalesce(sum(size), 0) FROM bodies)")) {
            rs.next();
            messages = rs.getLong(1);
            bytes = rs.getLong(2);
        }
        assertThat(store.statistics(TODAY).messages()).as("messages, " + after).isEqualTo(messages);
        assertThat(store.statistics(TODAY).bytes()).as("bytes, " + after).isEqualTo(bytes);
    }

    @Test
    void deletingManyReferencesAcrossMailboxesReleasesBodiesOnceAndTellsEachMailboxOnce() throws IOException {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox aliceInbox = inbox(alice);
        Mailbox bobInbox = inbox(bob);
        // One large body shared by a copy in each inbox, then more messages than one statement deletes.
        deliverSharedLargeBody(aliceInbox, bobInbox);
        int more = MessageChanges.DELETE_CHUNK + 10;
        for (int i = 0; i < more; i++) {
            deliver(i % 2 == 0 ? aliceInbox : bobInbox, TestMessages.message(10 + i, SMALL));
        }
        long aliceModseq = store.snapshot(aliceInbox.id()).highestModseq();
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        List<MessageRef> refs = new ArrayList<>(store.messagesOldestFirst(alice.id(), null, 1000));
        refs.addAll(store.messagesOldestFirst(bob.id(), null, 1000));
        MessageRef bobsShared = refs.stream().filter(r -> r.accountId() == bob.id() && r.uid() == 1).findFirst().orElseThrow();
        List<MessageRef> allButBobsShared = refs.stream().filter(r -> r != bobsShared).toList();
        // A reference to a message that is gone already is skipped.
        store.delete(refs.stream().filter(r -> r.accountId() == alice.id() && r.uid() == 2).toList());
        try (MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), events::add);
             MailboxEvents.Subscription _ = store.events().subscribe(bob.id(), events::add)) {
            store.delete(allButBobsShared);
        }

        assertThat(store.snapshot(aliceInbox.id()).messages()).isEmpty();
        assertThat(store.snapshot(bobInbox.id()).messages()).extracting(MessageInfo::uid).containsExactly(1L);
        assertThat(bodyFileCount()).as("bob's copy still holds the shared body").isEqualTo(1);
        assertThat(store.content(bobInbox.id(), 1)).isEqualTo(TestMessages.message(1, LARGE));
        assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(MailboxEvents.MessagesExpunged.class));
        MailboxEvents.MessagesExpunged aliceEvent = (MailboxEvents.MessagesExpunged) events.stream()
                .filter(e -> e.mailboxId() == aliceInbox.id()).findFirst().orElseThrow();
        assertThat(aliceEvent.uids()).as("sorted, without the one deleted before").isSorted()
                .hasSize(more / 2).contains(1L).doesNotContain(2L);
        assertThat(store.snapshot(aliceInbox.id()).highestModseq()).as("one MODSEQ per mailbox and delete")
                .isEqualTo(aliceModseq + 2);

        store.delete(List.of(bobsShared));
        assertThat(bodyFileCount()).as("the last reference takes the file").isZero();
    }

    @Test
    void aYieldingDeletionOutOfBudgetStopsAfterOneShortStatement() {
        store.close();
        // No budget: each write does the least it can, one statement.
        store = SqliteMailStore.open(dataDir, clock, SqliteStoreSettings.defaults().withYieldingWriteBudget(java.time.Duration.ZERO));
        Account alice = account("alice@example.org");
        Mailbox aliceInbox = inbox(alice);
        int count = MessageChanges.YIELDING_DELETE_CHUNK * 2 + 3;
        for (int i = 0; i < count; i++) {
            deliver(aliceInbox, TestMessages.message(i, SMALL));
        }
        List<MessageRef> refs = store.messagesOldestFirst(alice.id(), null, 1000);

        int handled = store.deleteYielding(refs);

        assertThat(handled).as("a statement of the yielding deletion's size, not the plain one's")
                .isEqualTo(MessageChanges.YIELDING_DELETE_CHUNK).isLessThan(MessageChanges.DELETE_CHUNK);
        assertThat(store.snapshot(aliceInbox.id()).messages()).hasSize(count - handled);
        assertThat(store.deleteYielding(refs.subList(handled, count))).isEqualTo(MessageChanges.YIELDING_DELETE_CHUNK);
        assertThat(store.deleteYielding(refs.subList(2 * MessageChanges.YIELDING_DELETE_CHUNK, count))).isEqualTo(3);
        assertThat(store.snapshot(aliceInbox.id()).messages()).isEmpty();
    }

    @Test
    void eventsArriveAfterCommitForTheAccountsSubscribers() throws Exception {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox inbox = inbox(alice);
        List<MailboxEvent> received = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        List<MailboxEvent> bobsEvents = new CopyOnWriteArrayList<>();
        try (MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), event -> {
                    // Published after the commit: a read from here must already see the change.
                    if (event instanceof MailboxEvents.MessagesAdded added) {
                        assertThat(store.snapshot(added.mailboxId()).uidNext()).isGreaterThan(added.uids().getLast());
                    }
                    received.add(event);
                    three.countDown();
                });
             MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), event -> {
                 throw new IllegalStateException("a broken listener must not stop the others");
             });
             MailboxEvents.Subscription _ = store.events().subscribe(bob.id(), bobsEvents::add)) {
            long uid = deliver(inbox, TestMessages.message(1, SMALL)).uid();
            store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("\\Seen"));
            store.expunge(inbox.id(), List.of(uid));

            assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(received).containsExactly(
                    new MailboxEvents.MessagesAdded(alice.id(), inbox.id(), List.of(uid)),
                    new MailboxEvents.FlagsChanged(alice.id(), inbox.id(), List.of(uid)),
                    new MailboxEvents.MessagesExpunged(alice.id(), inbox.id(), List.of(uid)));
        }
        assertThat(bobsEvents).isEmpty();

        CountDownLatch afterUnsubscribe = new CountDownLatch(1);
        try (MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), e -> afterUnsubscribe.countDown())) {
            deliver(inbox, TestMessages.message(2, SMALL));
            assertThat(afterUnsubscribe.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(received).as("closed subscriptions hear nothing more").hasSize(3);
    }

    @Test
    void concurrentDeliveriesShareCommits() throws Exception {
        Mailbox inbox = inbox(account("alice@example.org"));
        int deliveries = 50;
        long before = store.commitCount();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<StoredMessage>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < deliveries; i++) {
                byte[] content = TestMessages.message(i, i % 5 == 0 ? LARGE : SMALL);
                results.add(executor.submit(() -> {
                    start.await();
                    return deliver(inbox, content);
                }));
            }
            start.countDown();
            for (Future<StoredMessage> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        }
        long commits = store.commitCount() - before;
        assertThat(commits).isPositive().isLessThan(deliveries);
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.messages()).hasSize(deliveries);
        assertThat(snapshot.messages()).extracting(MessageInfo::uid).doesNotHaveDuplicates();
    }

    @Test
    void callsAfterCloseFail() {
        Account alice = account("alice@example.org");
        store.close();
        assertThatThrownBy(() -> store.findAccount("alice@example.org")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.recordLogin(alice.id(), TODAY.plusDays(1))).isInstanceOf(StoreException.class);
        store = SqliteMailStore.open(dataDir, clock);
        assertThat(store.findAccount("alice@example.org")).isPresent();
    }

    @Test
    void closeFinishesWritesAlreadyQueuedAndRefusesLaterOnes() throws Exception {
        Mailbox inbox = inbox(account("alice@example.org"));
        int deliveries = 40;
        CountDownLatch started = new CountDownLatch(deliveries);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < deliveries; i++) {
                byte[] content = TestMessages.message(i, SMALL);
                results.add(executor.submit(() -> {
                    started.countDown();
                    try {
                        deliver(inbox, content);
                        return true;
                    } catch (StoreException e) {
                        return false;
                    }
                }));
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            store.close();
            int acknowledged = 0;
            for (Future<Boolean> result : results) {
                if (result.get(30, TimeUnit.SECONDS)) {
                    acknowledged++;
                }
            }
            reopen();
            assertThat(store.snapshot(inbox.id()).messages()).as("exactly the acknowledged deliveries")
                    .hasSize(acknowledged);
        }
    }

    @Test
    void startupRemovesOrphanedBodyFiles() throws IOException {
        Path orphan = dataDir.resolve("blobs").resolve("ab").resolve("ab" + "0".repeat(30));
        Path temp = dataDir.resolve("blobs").resolve("cd").resolve("cd" + "1".repeat(30) + ".tmp");
        Files.write(orphan, new byte[] {1});
        Files.write(temp, new byte[] {2});
        Mailbox inbox = inbox(account("alice@example.org"));
        long uid = deliver(inbox, TestMessages.message(9, LARGE)).uid();

        reopen();

        assertThat(orphan).doesNotExist();
        assertThat(temp).doesNotExist();
        assertThat(bodyFileCount()).isEqualTo(1);
        assertThat(store.content(inbox.id(), uid)).isEqualTo(TestMessages.message(9, LARGE));
    }
}
