package chatmail.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.sqlite.TestMessages;
import chatmail.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link MailStore} backend must do (SPEC SCALE-1: both backends pass the same store,
 * queue and account contract). A backend's test class says how to open its store on fresh
 * storage and how to open it again on the same storage; everything else is checked here through
 * the interface only.
 */
public abstract class MailStoreContract {
    protected static final LocalDate TODAY = LocalDate.of(2025, 3, 10);
    private static final int SMALL = 2_000;
    /** Above the SQLite inline limit (64 KiB) and above one PostgreSQL chunk (256 KiB). */
    private static final int LARGE = 600_000;
    private static final String TOKEN = "/private/devicetoken";

    protected final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    protected MailStore store;

    /** Opens the store on fresh, empty storage. */
    protected abstract MailStore openFresh(MutableClock clock);

    /** Opens the store again on the storage {@link #openFresh} made (after {@link MailStore#close}). */
    protected abstract MailStore reopen(MutableClock clock);

    @BeforeEach
    void open() {
        store = openFresh(clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void restart() {
        store.close();
        store = reopen(clock);
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

    private long bytesStored() {
        return store.statistics(TODAY).bytes();
    }

    private Set<String> flagsOf(Mailbox mailbox, long uid) {
        return store.snapshot(mailbox.id()).messages().stream().filter(m -> m.uid() == uid).findFirst()
                .orElseThrow().flags();
    }

    @Test
    void openedContentStreamsAnyRange() throws IOException {
        Mailbox inbox = inbox(account("alice@example.org"));
        byte[] small = TestMessages.message(1, SMALL);
        byte[] large = TestMessages.message(2, LARGE);
        StoredMessage first = deliver(inbox, small);
        StoredMessage second = deliver(inbox, large);

        try (StoredContent content = store.open(inbox.id(), first.uid())) {
            assertThat(content.size()).isEqualTo(SMALL);
            assertThat(content.read(0, SMALL)).isEqualTo(small);
            assertThat(content.read(10, 20)).isEqualTo(Arrays.copyOfRange(small, 10, 30));
            assertThat(content.read(SMALL - 5, 100)).isEqualTo(Arrays.copyOfRange(small, SMALL - 5, SMALL));
        }
        try (StoredContent content = store.open(inbox.id(), second.uid())) {
            assertThat(content.size()).isEqualTo(LARGE);
            // Across the chunks or pieces a backend reads in, and from the middle.
            assertThat(content.read(0, LARGE)).isEqualTo(large);
            assertThat(content.read(262_000, 1_000)).isEqualTo(Arrays.copyOfRange(large, 262_000, 263_000));
            assertThat(content.read(LARGE - 1, 10)).containsExactly(large[LARGE - 1]);
            try (var in = content.range(100, LARGE)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(large, 100, LARGE));
            }
        }
        assertThatThrownBy(() -> store.open(inbox.id(), 99)).isInstanceOf(StoreException.class);
    }

    @Test
    void deliveredMessagesReadBackSmallAndLargeAcrossARestart() throws IOException {
        Mailbox inbox = inbox(account("alice@example.org"));
        byte[] small = TestMessages.message(1, SMALL);
        byte[] large = TestMessages.message(2, LARGE);
        byte[] empty = new byte[0];

        StoredMessage first = deliver(inbox, small);
        StoredMessage second = deliver(inbox, large, "\\seen", "$MDNSent");
        StoredMessage third = deliver(inbox, empty);

        assertThat(store.content(inbox.id(), first.uid())).isEqualTo(small);
        assertThat(store.content(inbox.id(), second.uid())).isEqualTo(large);
        assertThat(store.content(inbox.id(), third.uid())).isEmpty();
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.mailbox()).isEqualTo(inbox);
        assertThat(snapshot.uidNext()).isEqualTo(4);
        assertThat(snapshot.messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L, 3L);
        assertThat(snapshot.messages()).extracting(MessageInfo::size).containsExactly((long) SMALL, (long) LARGE, 0L);
        assertThat(snapshot.messages().get(1).flags()).containsExactlyInAnyOrder("\\Seen", "$MDNSent");
        assertThat(snapshot.messages().get(0).internalDate()).isEqualTo(clock.instant());
        assertThat(store.usage(inbox.accountId())).isEqualTo(SMALL + LARGE);
        assertThat(store.statistics(TODAY)).isEqualTo(new StoreStatistics(1, 1, 1, 1, 3, SMALL + LARGE));

        restart();
        assertThat(store.content(inbox.id(), second.uid())).isEqualTo(large);
        assertThat(store.snapshot(inbox.id()).messages()).hasSize(3);
        assertThatThrownBy(() -> store.content(inbox.id(), 99)).isInstanceOf(StoreException.class);
    }

    /** A small body and one of several chunks: a backend may store them in different ways. */
    @ParameterizedTest
    @ValueSource(ints = {SMALL, LARGE})
    void multiTargetDeliveryStoresTheBodyOnceAndExpungeKeepsOtherCopies(int size) throws IOException {
        Mailbox a = inbox(account("a@example.org"));
        Mailbox b = inbox(account("b@example.org"));
        Mailbox c = inbox(account("c@example.org"));
        byte[] large = TestMessages.message(3, size);

        List<StoredMessage> stored = store.deliver(new NewMessage(large, clock.instant()), List.of(
                new DeliveryTarget(c.id(), Set.of()), new DeliveryTarget(a.id(), Set.of()),
                new DeliveryTarget(b.id(), Set.of())));

        assertThat(stored).extracting(StoredMessage::mailboxId).containsExactly(c.id(), a.id(), b.id());
        assertThat(stored).extracting(StoredMessage::accountId)
                .containsExactly(c.accountId(), a.accountId(), b.accountId());
        assertThat(bytesStored()).as("one body for three copies").isEqualTo(size);

        store.expunge(c.id(), List.of(stored.get(0).uid()));
        store.deleteAccount(b.accountId());
        assertThat(bytesStored()).as("a still holds a copy").isEqualTo(size);
        assertThat(store.content(a.id(), stored.get(1).uid())).isEqualTo(large);

        store.expunge(a.id(), List.of(stored.get(1).uid()));
        assertThat(bytesStored()).as("last reference gone").isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {SMALL, LARGE})
    void multiTargetDeliveryIsAllOrNothing(int size) {
        Mailbox a = inbox(account("a@example.org"));
        long missingMailbox = 9_999_999;

        assertThatThrownBy(() -> store.deliver(new NewMessage(TestMessages.message(4, size), clock.instant()),
                List.of(new DeliveryTarget(a.id(), Set.of()), new DeliveryTarget(missingMailbox, Set.of()))))
                .isInstanceOf(StoreException.class);

        MailboxSnapshot snapshot = store.snapshot(a.id());
        assertThat(snapshot.messages()).isEmpty();
        assertThat(snapshot.uidNext()).as("the failed delivery took no UID").isEqualTo(1);
        assertThat(bytesStored()).isZero();
    }

    @Test
    void uidsIncreaseAndAreNeverReusedEvenAcrossRestart() {
        Mailbox inbox = inbox(account("alice@example.org"));
        long uid1 = deliver(inbox, TestMessages.message(1, SMALL)).uid();
        long uid2 = deliver(inbox, TestMessages.message(2, SMALL)).uid();
        assertThat(uid2).isGreaterThan(uid1);

        store.expunge(inbox.id(), List.of(uid2));
        restart();
        assertThat(store.snapshot(inbox.id()).uidNext()).isEqualTo(uid2 + 1);
        assertThat(deliver(inbox, TestMessages.message(3, SMALL)).uid()).isEqualTo(uid2 + 1);
        assertThat(store.mailbox(inbox.accountId(), "INBOX").orElseThrow().uidValidity()).isEqualTo(inbox.uidValidity());
    }

    @Test
    void concurrentDeliveriesToOneMailboxGetDistinctIncreasingUids() throws Exception {
        Mailbox inbox = inbox(account("alice@example.org"));
        int count = 40;
        List<Future<StoredMessage>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int seed = i;
                results.add(executor.submit(() -> deliver(inbox, TestMessages.message(seed, SMALL))));
            }
            List<Long> uids = new ArrayList<>();
            for (Future<StoredMessage> result : results) {
                uids.add(result.get(60, TimeUnit.SECONDS).uid());
            }
            assertThat(uids).doesNotHaveDuplicates().allMatch(uid -> uid >= 1 && uid <= count);
        }
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.messages()).hasSize(count);
        assertThat(snapshot.uidNext()).isEqualTo(count + 1);
        assertThat(snapshot.highestModseq()).isEqualTo(snapshot.messages().stream().mapToLong(MessageInfo::modseq).max()
                .orElseThrow());
    }

    @Test
    void uidValidityIsNonZeroAndDiffersForARecreatedMailbox() {
        Account first = account("alice@example.org");
        Mailbox firstInbox = inbox(first);
        assertThat(firstInbox.uidValidity()).isEqualTo(clock.instant().getEpochSecond());

        store.deleteAccount(first.id());
        Account again = account("alice@example.org");
        Mailbox secondInbox = inbox(again);

        assertThat(secondInbox.uidValidity()).isPositive().isNotEqualTo(firstInbox.uidValidity());
        assertThat(store.createMailbox(again.id(), "Sent").uidValidity()).isGreaterThan(secondInbox.uidValidity());
    }

    @Test
    void everyChangeBumpsModseqAndUnchangedFlagsDoNot() {
        Mailbox inbox = inbox(account("alice@example.org"));
        long start = store.snapshot(inbox.id()).highestModseq();

        StoredMessage m1 = deliver(inbox, TestMessages.message(1, SMALL));
        assertThat(m1.modseq()).isGreaterThan(start);
        StoredMessage m2 = deliver(inbox, TestMessages.message(2, SMALL));
        assertThat(m2.modseq()).isGreaterThan(m1.modseq());
        assertThat(store.snapshot(inbox.id()).highestModseq()).isEqualTo(m2.modseq());

        List<MessageInfo> changed = store.updateFlags(inbox.id(), List.of(m1.uid()), FlagUpdate.ADD, Set.of("\\Seen"));
        assertThat(changed).hasSize(1);
        long flagModseq = changed.getFirst().modseq();
        assertThat(flagModseq).isGreaterThan(m2.modseq());
        MailboxSnapshot afterFlags = store.snapshot(inbox.id());
        assertThat(afterFlags.highestModseq()).isEqualTo(flagModseq);
        assertThat(afterFlags.messages().getFirst().modseq()).isEqualTo(flagModseq);
        assertThat(afterFlags.messages().get(1).modseq()).isEqualTo(m2.modseq());

        assertThat(store.updateFlags(inbox.id(), List.of(m1.uid()), FlagUpdate.ADD, Set.of("\\SEEN"))).isEmpty();
        assertThat(store.snapshot(inbox.id()).highestModseq()).isEqualTo(flagModseq);

        store.expunge(inbox.id(), List.of(m2.uid()));
        assertThat(store.snapshot(inbox.id()).highestModseq()).isGreaterThan(flagModseq);
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
        assertThat(flagsOf(inbox, uid)).containsExactly("\\Deleted");

        assertThatThrownBy(() -> store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("two words")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesShareTheBodyKeepFlagsAndFollowTheRequestedOrder() throws IOException {
        Account alice = account("alice@example.org");
        Mailbox inbox = inbox(alice);
        Mailbox archive = store.createMailbox(alice.id(), "Archive");
        byte[] large = TestMessages.message(5, LARGE);
        byte[] small = TestMessages.message(6, SMALL);
        long u1 = deliver(inbox, large, "\\Seen").uid();
        long u2 = deliver(inbox, small).uid();

        List<StoredMessage> copies = store.copy(inbox.id(), List.of(u2, u1, 77L), archive.id());
        assertThat(copies).extracting(StoredMessage::uid).containsExactly(1L, 2L);
        assertThat(store.content(archive.id(), 1)).isEqualTo(small);
        assertThat(store.content(archive.id(), 2)).isEqualTo(large);
        assertThat(flagsOf(archive, 2)).containsExactly("\\Seen");
        assertThat(store.usage(alice.id())).isEqualTo(2L * (LARGE + SMALL));
        assertThat(bytesStored()).isEqualTo(LARGE + SMALL);

        assertThat(store.expunge(inbox.id(), List.of(u1, u2, 77L))).containsExactly(u1, u2);
        assertThat(store.content(archive.id(), 2)).isEqualTo(large);
        store.expunge(archive.id(), List.of(1L, 2L));
        assertThat(bytesStored()).isZero();
        assertThat(store.usage(alice.id())).isZero();
    }

    /** What the account's messages add up to, read through the snapshots, not through usage(). */
    private long sizesOf(Account account) {
        return store.mailboxes(account.id()).stream()
                .flatMap(box -> store.snapshot(box.id()).messages().stream()).mapToLong(MessageInfo::size).sum();
    }

    /**
     * A backend may keep usage as a count it maintains instead of summing the messages (IMAP-6
     * then reads it twice per delivery): the count must follow every way messages come and go,
     * concurrent deliveries and expunges of one mailbox included, and stay per account.
     */
    @Test
    void usageIsTheSumOfTheAccountsMessagesThroughEveryChange() throws Exception {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox inbox = inbox(alice);
        Mailbox archive = store.createMailbox(alice.id(), "Archive");
        Mailbox bobInbox = inbox(bob);

        store.deliver(new NewMessage(TestMessages.message(1, LARGE), clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of()), new DeliveryTarget(bobInbox.id(), Set.of())));
        List<Future<StoredMessage>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 30; i++) {
                int seed = i;
                results.add(executor.submit(() -> deliver(inbox, TestMessages.message(seed, SMALL + seed))));
            }
            for (Future<StoredMessage> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice)).isEqualTo(LARGE + 30L * SMALL + 29 * 30 / 2);
        assertThat(store.usage(bob.id())).isEqualTo(sizesOf(bob)).isEqualTo(LARGE);

        store.copy(inbox.id(), List.of(1L, 2L, 3L), archive.id());
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice));
        List<Future<List<Long>>> expunges = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            // Overlapping UID sets: a message removed twice must count once.
            for (int i = 0; i < 10; i++) {
                long first = 1 + i * 2;
                expunges.add(executor.submit(() -> store.expunge(inbox.id(), List.of(first, first + 1, first + 2))));
            }
            for (Future<List<Long>> expunge : expunges) {
                expunge.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(store.snapshot(inbox.id()).messages()).hasSize(31 - 21);
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice));

        List<MessageRef> oldest = store.messagesOldestFirst(alice.id(), null, 4);
        store.delete(oldest);
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice)).isPositive();

        Mailbox imported = store.importMailbox(alice.id(), "Imported", 4321, 1);
        store.importMessages(imported.id(), List.of(new ImportedMessage(5, Set.of(), clock.instant(),
                MessageBody.of(TestMessages.message(9, SMALL)))));
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice));

        restart();
        assertThat(store.usage(alice.id())).isEqualTo(sizesOf(alice));
        assertThat(store.usage(bob.id())).isEqualTo(LARGE);
        assertThat(store.findAccountWithUsage("ALICE@example.org"))
                .contains(new AccountUsage(store.findAccount("alice@example.org").orElseThrow(), sizesOf(alice)));
        store.deleteAccount(bob.id());
        assertThat(store.usage(bob.id())).isZero();
        assertThat(store.findAccountWithUsage("bob@example.org")).isEmpty();
        Account carol = account("carol@example.org");
        assertThat(store.findAccountWithUsage("carol@example.org")).contains(new AccountUsage(carol, 0));
    }

    /**
     * An IDLE session's re-read after a change: when the store answers, exactly the messages
     * with a higher MODSEQ, at the same moment as the counters; never after an expunge, which
     * leaves no row to find. Returns what the store answered for a backend's own checks.
     */
    protected Optional<MailboxChanges> changesAfterDeliveryAndFlagChange() {
        Mailbox inbox = inbox(account("alice@example.org"));
        for (int i = 0; i < 3; i++) {
            deliver(inbox, TestMessages.message(i, SMALL));
        }
        MailboxSnapshot before = store.snapshot(inbox.id());
        deliver(inbox, TestMessages.message(7, SMALL));
        store.updateFlags(inbox.id(), List.of(1L), FlagUpdate.ADD, Set.of("\\Seen"));

        Optional<MailboxChanges> changes = store.changesSince(inbox.id(), before.highestModseq());
        MailboxSnapshot now = store.snapshot(inbox.id());
        changes.ifPresent(c -> {
            assertThat(c.highestModseq()).isEqualTo(now.highestModseq());
            assertThat(c.changed()).isEqualTo(now.messages().stream()
                    .filter(m -> m.modseq() > before.highestModseq()).toList());
            assertThat(c.changed()).extracting(MessageInfo::uid).containsExactly(1L, 4L);
        });
        Optional<MailboxChanges> nothingNew = store.changesSince(inbox.id(), now.highestModseq());
        nothingNew.ifPresent(c -> assertThat(c.changed()).isEmpty());

        store.expunge(inbox.id(), List.of(2L));
        assertThat(store.changesSince(inbox.id(), now.highestModseq())).as("an expunge since").isEmpty();
        assertThat(store.changesSince(inbox.id(), before.highestModseq())).isEmpty();
        MailboxSnapshot afterExpunge = store.snapshot(inbox.id());
        deliver(inbox, TestMessages.message(8, SMALL));
        store.changesSince(inbox.id(), afterExpunge.highestModseq()).ifPresent(c ->
                assertThat(c.changed()).extracting(MessageInfo::uid).containsExactly(5L));
        return changes;
    }

    @Test
    void changesSinceAModseqAreTheNewerMessagesAndNeverHideAnExpunge() {
        changesAfterDeliveryAndFlagChange();
    }

    @Test
    void deliveryMailboxIsTheNamedMailboxCreatedWhenMissing() {
        Account alice = account("alice@example.org");
        assertThat(store.deliveryMailboxId(alice.id(), "INBOX")).isEqualTo(inbox(alice).id());
        long created = store.deliveryMailboxId(alice.id(), "DeltaChat");
        assertThat(store.mailbox(alice.id(), "DeltaChat").orElseThrow().id()).isEqualTo(created);
        assertThat(store.deliveryMailboxId(alice.id(), "DeltaChat")).isEqualTo(created);

        store.deleteAccount(alice.id());
        Account again = account("alice@example.org");
        assertThat(store.deliveryMailboxId(again.id(), "INBOX")).isEqualTo(inbox(again).id());
        assertThatThrownBy(() -> store.deliver(new NewMessage(TestMessages.message(1, SMALL), clock.instant()),
                List.of(new DeliveryTarget(created, Set.of())))).isInstanceOf(StoreException.class);
        assertThat(bytesStored()).as("no body left from the failed delivery").isZero();
    }

    @Test
    void mailboxesAreCreatedOncePerName() {
        Account alice = account("alice@example.org");
        Mailbox sent = store.createMailbox(alice.id(), "Sent");
        assertThat(store.createMailbox(alice.id(), "Sent")).isEqualTo(sent);
        assertThat(store.mailboxes(alice.id())).extracting(Mailbox::name).containsExactly("INBOX", "Sent");
        assertThat(store.mailbox(alice.id(), "Drafts")).isEmpty();
    }

    @Test
    void concurrentAccountCreationLeavesOneAccount() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Account>> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                String hash = "hash-" + i;
                results.add(executor.submit(() -> {
                    start.await();
                    return store.createAccountIfAbsent("race@example.org", hash, TODAY);
                }));
            }
            start.countDown();
            List<Account> accounts = new ArrayList<>();
            for (Future<Account> result : results) {
                accounts.add(result.get(60, TimeUnit.SECONDS));
            }
            assertThat(accounts).extracting(Account::id).containsOnly(accounts.getFirst().id());
            assertThat(accounts).extracting(Account::passwordHash).containsOnly(accounts.getFirst().passwordHash());
        }
        assertThat(store.accountCount()).isEqualTo(1);
        Account stored = store.findAccount("race@example.org").orElseThrow();
        assertThat(store.mailboxes(stored.id())).extracting(Mailbox::name).containsExactly("INBOX");
        assertThat(store.findAccount("RACE@example.org")).contains(stored);
    }

    @Test
    void loginsAreRecordedByDay() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        assertThat(alice.created()).isEqualTo(TODAY);
        assertThat(alice.lastLogin()).isEqualTo(TODAY);

        store.recordLogin(alice.id(), TODAY.plusDays(40));
        assertThat(store.findAccount("alice@example.org").orElseThrow().lastLogin()).isEqualTo(TODAY.plusDays(40));
        store.recordLogin(alice.id(), TODAY.plusDays(3));
        assertThat(store.findAccount("alice@example.org").orElseThrow().lastLogin())
                .as("an older day never overwrites a newer one").isEqualTo(TODAY.plusDays(40));

        assertThat(store.accountsLastLoginBefore(TODAY.plusDays(30), 0, 100)).extracting(Account::id).containsExactly(bob.id());
        assertThat(store.accountsLastLoginBefore(TODAY, 0, 100)).isEmpty();
    }

    @Test
    void loginVerifiersArePerKeyAndGoWithTheAccount() {
        Account alice = account("alice@example.org");
        assertThat(store.findLogin("alice@example.org", 1)).hasValueSatisfying(l -> {
            assertThat(l.account()).isEqualTo(alice);
            assertThat(l.verifier()).isNull();
        });
        store.saveLoginVerifier(alice.id(), 1, new byte[] {1, 2});
        store.saveLoginVerifier(alice.id(), 2, new byte[] {3});
        store.saveLoginVerifier(alice.id(), 1, new byte[] {4});
        assertThat(store.findLogin("alice@example.org", 1).orElseThrow().verifier()).containsExactly(4);
        assertThat(store.findLogin("alice@example.org", 2).orElseThrow().verifier()).containsExactly(3);
        assertThat(store.findLogin("nobody@example.org", 1)).isEmpty();
        store.deleteAccount(alice.id());
        store.saveLoginVerifier(alice.id(), 1, new byte[] {5});
        account("alice@example.org");
        assertThat(store.findLogin("alice@example.org", 1).orElseThrow().verifier())
                .as("a verifier saved after the deletion went nowhere").isNull();
    }

    @Test
    void deletingAnAccountRemovesEverything() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox inbox = inbox(alice);
        deliver(inbox, TestMessages.message(1, LARGE));
        deliver(store.createMailbox(alice.id(), "Sent"), TestMessages.message(2, LARGE));
        deliver(inbox, TestMessages.message(3, SMALL));
        deliver(inbox(bob), TestMessages.message(4, SMALL));
        store.addMetadataValue(alice.id(), TOKEN, "t", clock.instant().plus(Duration.ofDays(90)), 3);

        store.deleteAccount(alice.id());

        assertThat(store.findAccount("alice@example.org")).isEmpty();
        assertThat(store.mailboxes(alice.id())).isEmpty();
        assertThat(store.usage(alice.id())).isZero();
        assertThat(store.messagesOldestFirst(alice.id(), null, 100)).isEmpty();
        assertThat(bytesStored()).as("only bob's message is left").isEqualTo(SMALL);
        assertThat(store.accountCount()).isEqualTo(1);
        Account again = account("alice@example.org");
        assertThat(store.metadataValues(again.id(), TOKEN, clock.instant())).isEmpty();
    }

    @Test
    void aDeletedAccountsIdsAreNeverGivenAgainEvenAcrossARestart() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox bobsSent = store.createMailbox(bob.id(), "Sent");
        Mailbox bobsInbox = inbox(bob);
        long highestMailbox = Math.max(bobsSent.id(), bobsInbox.id());

        // bob holds the highest ids of both kinds: a store that takes max(id) + 1 would hand
        // them to the next account, and a session still holding bob's would reach its mail.
        store.deleteAccount(bob.id());
        restart();
        Account carol = account("carol@example.org");
        Mailbox carolsInbox = inbox(carol);
        Mailbox carolsSent = store.createMailbox(carol.id(), "Sent");

        assertThat(carol.id()).isGreaterThan(bob.id());
        assertThat(carolsInbox.id()).isGreaterThan(highestMailbox);
        assertThat(carolsSent.id()).isGreaterThan(highestMailbox);
        assertThatThrownBy(() -> store.snapshot(bobsInbox.id())).as("bob's mailbox is gone, not someone else's")
                .isInstanceOf(StoreException.class);
        assertThat(inbox(alice).id()).isLessThan(bobsInbox.id());
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

        assertThat(store.messagesReceivedBefore(cutoff, null, 100)).extracting(MessageRef::uid)
                .containsExactly(oldSeenLarge, oldUnseenLarge, oldSeenSmall);
        // In pages: each starts after the last reference of the one before.
        List<MessageRef> firstPage = store.messagesReceivedBefore(cutoff, null, 2);
        assertThat(firstPage).extracting(MessageRef::uid).containsExactly(oldSeenLarge, oldUnseenLarge);
        assertThat(store.messagesReceivedBefore(cutoff, firstPage.getLast(), 2)).extracting(MessageRef::uid)
                .containsExactly(oldSeenSmall);
        assertThat(store.seenMessagesLargerThan(200_000, cutoff, null, 100)).singleElement().isEqualTo(
                new MessageRef(alice.id(), inbox.id(), oldSeenLarge, 300_000, t0));
        List<MessageRef> oldestFirst = store.messagesOldestFirst(alice.id(), null, 100);
        assertThat(store.messagesOldestFirst(alice.id(), oldestFirst.get(1), 1)).extracting(MessageRef::uid)
                .containsExactly(oldSeenSmall);
        assertThat(oldestFirst).extracting(MessageRef::uid)
                .containsExactly(oldSeenLarge, oldUnseenLarge, oldSeenSmall, recentSeenLarge);

        store.delete(oldestFirst.subList(0, 2));
        assertThat(store.snapshot(inbox.id()).messages()).extracting(MessageInfo::uid)
                .containsExactly(oldSeenSmall, recentSeenLarge);
    }

    @Test
    void eventsArriveAfterCommitForTheAccountsSubscribersBeforeTheCallReturns() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        Mailbox inbox = inbox(alice);
        List<MailboxEvent> received = new CopyOnWriteArrayList<>();
        List<MailboxEvent> bobsEvents = new CopyOnWriteArrayList<>();
        try (MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), event -> {
                    if (event instanceof MailboxEvents.MessagesAdded added) {
                        assertThat(store.snapshot(added.mailboxId()).uidNext()).isGreaterThan(added.uids().getLast());
                    }
                    received.add(event);
                });
             MailboxEvents.Subscription _ = store.events().subscribe(alice.id(), event -> {
                 throw new IllegalStateException("a broken listener must not stop the others");
             });
             MailboxEvents.Subscription _ = store.events().subscribe(bob.id(), bobsEvents::add)) {
            long uid = deliver(inbox, TestMessages.message(1, SMALL)).uid();
            assertThat(received).hasSize(1);
            store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("\\Seen"));
            store.expunge(inbox.id(), List.of(uid));
            assertThat(received).containsExactly(
                    new MailboxEvents.MessagesAdded(alice.id(), inbox.id(), List.of(uid)),
                    new MailboxEvents.FlagsChanged(alice.id(), inbox.id(), List.of(uid)),
                    new MailboxEvents.MessagesExpunged(alice.id(), inbox.id(), List.of(uid)));
        }
        assertThat(bobsEvents).isEmpty();
        deliver(inbox, TestMessages.message(2, SMALL));
        assertThat(received).as("closed subscriptions hear nothing more").hasSize(3);
    }

    @Test
    void submissionCommitsCopiesAndItsQueueEntryTogether() throws IOException {
        Mailbox alice = inbox(account("alice@example.org"));
        byte[] body = TestMessages.message(7, LARGE);
        byte[] header = "DKIM-Signature: v=1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Instant claim = clock.instant().plusSeconds(60);
        Committed committed = store.commit(new Acceptance(
                List.of(new Acceptance.Copy(new NewMessage(body, clock.instant()), List.of(new DeliveryTarget(alice.id(), Set.of())))),
                java.util.Optional.of(new QueuedCopy("alice@example.org", List.of("x@remote.test", "y@Other.test"), header,
                        MessageBody.of(body), clock.instant(), claim))));
        assertThat(committed.copies()).singleElement().satisfies(copies -> assertThat(copies).hasSize(1));
        assertThat(committed.queued()).hasValueSatisfying(q -> assertThat(q.recipientIds()).hasSize(2).doesNotHaveDuplicates());
        assertThat(store.content(alice.id(), committed.copies().getFirst().getFirst().uid())).isEqualTo(body);
    }

    // ---- metadata (device tokens)

    private void addToken(Account a, String token) {
        store.addMetadataValue(a.id(), TOKEN, token, clock.instant().plus(Duration.ofDays(90)), 3);
    }

    @Test
    void tokensAreKeptInOrderOfLastSetExpireAndTheOldestGoesBeyondTheLimit() {
        Account alice = account("alice@example.org");
        Account bob = account("bob@example.org");
        addToken(alice, "t1");
        clock.advance(Duration.ofSeconds(1));
        addToken(alice, "t2");
        addToken(bob, "b1");
        clock.advance(Duration.ofSeconds(1));
        addToken(alice, "t1");
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("t2", "t1");
        assertThat(store.metadataValues(bob.id(), TOKEN, clock.instant())).containsExactly("b1");
        for (String t : new String[] {"a", "b"}) {
            clock.advance(Duration.ofSeconds(1));
            addToken(alice, t);
        }
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("t1", "a", "b");
        store.removeMetadataValue(alice.id(), TOKEN, "a");
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("t1", "b");
        clock.advance(Duration.ofDays(91));
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).isEmpty();
        assertThat(store.expiredMetadataValues(TOKEN, clock.instant())).isEqualTo(3);
        assertThat(store.deleteExpiredMetadataValues(TOKEN, clock.instant(), 2)).isEqualTo(2);
        assertThat(store.deleteExpiredMetadataValues(TOKEN, clock.instant(), 2)).as("fewer than the limit: none left").isEqualTo(1);
        addToken(alice, "c");
        store.clearMetadata(alice.id(), TOKEN);
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).isEmpty();
    }

    // ---- import (MIG-1)

    @Test
    void importKeepsTheOldServersValuesAndIsIdempotent() throws IOException {
        Account imported = store.importAccount("old@example.org", "old-hash", TODAY.minusDays(100), TODAY.minusDays(2));
        assertThat(imported.created()).isEqualTo(TODAY.minusDays(100));
        assertThat(imported.lastLogin()).isEqualTo(TODAY.minusDays(2));
        assertThat(store.importAccount("old@example.org", "other", TODAY, TODAY.minusDays(1)))
                .isEqualTo(new Account(imported.id(), "old@example.org", "old-hash", TODAY.minusDays(100), TODAY.minusDays(1)));

        Mailbox inbox = store.importMailbox(imported.id(), "INBOX", 1234, 10);
        assertThat(inbox.uidValidity()).isEqualTo(1234);
        byte[] one = TestMessages.message(1, SMALL);
        byte[] two = TestMessages.message(2, LARGE);
        List<ImportedMessage> messages = List.of(
                new ImportedMessage(7, Set.of("\\Seen"), clock.instant().minusSeconds(60), MessageBody.of(one)),
                new ImportedMessage(3, Set.of(), clock.instant().minusSeconds(120), MessageBody.of(two)));
        assertThat(store.importMessages(inbox.id(), messages)).containsExactly(3L, 7L);
        assertThat(store.importMessages(inbox.id(), messages)).as("again: nothing new").isEmpty();
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.uidNext()).isEqualTo(10);
        assertThat(snapshot.messages()).extracting(MessageInfo::uid).containsExactly(3L, 7L);
        assertThat(store.content(inbox.id(), 3)).isEqualTo(two);
        assertThat(deliver(inbox, one).uid()).isEqualTo(10);

        deliver(store.createMailbox(imported.id(), "Sent"), one);
        assertThat(store.importMailbox(imported.id(), "Sent", 999, 5).uidValidity())
                .as("a mailbox with messages keeps its own UIDVALIDITY").isNotEqualTo(999);
        clock.advance(Duration.ofDays(1));
        store.importMetadataValue(imported.id(), TOKEN, "tok", clock.instant().minus(Duration.ofDays(1)),
                clock.instant().plus(Duration.ofDays(89)), 3);
        assertThat(store.metadataValues(imported.id(), TOKEN, clock.instant())).containsExactly("tok");
    }

    @Test
    void importKeepsModseqsAndNeverLowersHighestModseq() throws IOException {
        Account imported = store.importAccount("moved@example.org", "hash", TODAY, TODAY);
        Mailbox inbox = store.importMailbox(imported.id(), "INBOX", 4321, 1);
        byte[] one = TestMessages.message(1, SMALL);
        assertThat(store.importMessages(inbox.id(), List.of(
                new ImportedMessage(1, Set.of(), clock.instant(), MessageBody.of(one), 40),
                new ImportedMessage(2, Set.of("\\Seen"), clock.instant(), MessageBody.of(one), 17)))).containsExactly(1L, 2L);
        MailboxSnapshot snapshot = store.snapshot(inbox.id());
        assertThat(snapshot.messages()).extracting(MessageInfo::uid, MessageInfo::modseq)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 40L), org.assertj.core.groups.Tuple.tuple(2L, 17L));
        assertThat(snapshot.highestModseq()).as("raised to the highest MODSEQ moved").isEqualTo(40);

        store.importHighestModseq(inbox.id(), 55);
        assertThat(store.snapshot(inbox.id()).highestModseq()).isEqualTo(55);
        store.importHighestModseq(inbox.id(), 30);
        assertThat(store.snapshot(inbox.id()).highestModseq()).as("never lowered").isEqualTo(55);
        List<MessageInfo> changed = store.updateFlags(inbox.id(), List.of(1L), MailStore.FlagUpdate.ADD, Set.of("\\Seen"));
        assertThat(changed).extracting(MessageInfo::modseq).containsExactly(56L);
    }
}
