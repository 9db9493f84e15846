package chatmail.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.push.PushNotifier;
import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore;
import chatmail.store.MessageInfo;
import chatmail.store.NewMessage;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteStoreSettings;
import chatmail.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC EXP-1 and ACC-6 against a real store, with the clock moved instead of waiting days. */
class ExpiryTest {

    private static final String DOMAIN = "chatmail.localhost";
    private static final Set<String> SEEN = Set.of("\\Seen");
    private static final Set<String> UNSEEN = Set.of();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-11-26T12:00:00Z"));
    private Config config;
    private SqliteMailStore store;
    private Account active;
    private long inbox;

    @BeforeEach
    void open() {
        Config.Builder b = Config.builder(DOMAIN);
        b.dataDir = dir;
        config = b.build();
        store = SqliteMailStore.open(dir, clock);
        active = store.createAccountIfAbsent("activeone@" + DOMAIN, "{SHA512-CRYPT}x", today());
        inbox = store.mailbox(active.id(), "INBOX").orElseThrow().id();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void messagesOlderThanDeleteMailsAfterGo() {
        deliver("21 days", ago(Duration.ofDays(21)), 1_000, UNSEEN);
        deliver("20 days and a second", ago(Duration.ofDays(20).plusSeconds(1)), 1_000, SEEN);
        deliver("exactly 20 days", ago(Duration.ofDays(20)), 1_000, UNSEEN);
        deliver("19 days", ago(Duration.ofDays(19)), 1_000, UNSEEN);
        deliver("now", ago(Duration.ZERO), 1_000, UNSEEN);

        ExpiryReport report = new Expiry(config, store, clock).run(false);

        assertThat(report.oldMessages()).isEqualTo(2);
        assertThat(report.bytes()).isEqualTo(2_000);
        assertThat(subjects()).containsExactly("exactly 20 days", "19 days", "now");
    }

    @Test
    void seenLargeMessagesOlderThanDeleteLargeAfterGo() {
        deliver("seen large 8 days", ago(Duration.ofDays(8)), 200_001, SEEN);
        deliver("seen large 7 days and a minute", ago(Duration.ofDays(7).plusMinutes(1)), 300_000, SEEN);
        deliver("unseen large 8 days", ago(Duration.ofDays(8)), 300_000, UNSEEN);
        deliver("seen 200000 bytes 8 days", ago(Duration.ofDays(8)), 200_000, SEEN);
        deliver("seen small 8 days", ago(Duration.ofDays(8)), 1_000, SEEN);
        deliver("seen large 6 days", ago(Duration.ofDays(6)), 300_000, SEEN);

        ExpiryReport report = new Expiry(config, store, clock).run(false);

        assertThat(report.largeSeenMessages()).isEqualTo(2);
        assertThat(report.oldMessages()).isZero();
        assertThat(report.bytes()).isEqualTo(500_001);
        assertThat(subjects()).containsExactly(
                "unseen large 8 days", "seen 200000 bytes 8 days", "seen small 8 days", "seen large 6 days");
    }

    @Test
    void aMessageMatchingBothRulesIsCountedOnce() {
        deliver("seen large 30 days", ago(Duration.ofDays(30)), 300_000, SEEN);

        ExpiryReport report = new Expiry(config, store, clock).run(false);

        assertThat(report.oldMessages() + report.largeSeenMessages()).isEqualTo(1);
        assertThat(report.bytes()).isEqualTo(300_000);
        assertThat(subjects()).isEmpty();
    }

    @Test
    void inactiveAccountsAreDeletedWithTheirMailAndFiles() throws IOException {
        Account inactive = store.createAccountIfAbsent("inactive1@" + DOMAIN, "{SHA512-CRYPT}x", today().minusDays(91));
        long inactiveInbox = store.mailbox(inactive.id(), "INBOX").orElseThrow().id();
        // Large enough to live in its own body file, recent enough to survive the message rules.
        store.deliver(new NewMessage(message("kept body", 150_000), ago(Duration.ofDays(1))),
                List.of(new DeliveryTarget(inactiveInbox, UNSEEN)));
        Account edge = store.createAccountIfAbsent("edgeday90@" + DOMAIN, "{SHA512-CRYPT}x", today().minusDays(90));
        deliver("active account's mail", ago(Duration.ofDays(1)), 150_000, UNSEEN);
        assertThat(bodyFiles()).hasSize(2);

        ExpiryReport report = new Expiry(config, store, clock).run(false);

        assertThat(report.inactiveAccounts()).isEqualTo(1);
        assertThat(store.findAccount(inactive.address())).isEmpty();
        assertThat(store.findAccount(edge.address())).as("90 days is not more than 90 days").isPresent();
        assertThat(store.findAccount(active.address())).isPresent();
        assertThat(store.accountCount()).isEqualTo(2);
        assertThat(bodyFiles()).as("the inactive account's body file is gone, the active one's stays").hasSize(1);
        assertThat(subjects()).containsExactly("active account's mail");
    }

    @Test
    void aLoginKeepsAnAccountAlive() {
        Account old = store.createAccountIfAbsent("returning@" + DOMAIN, "{SHA512-CRYPT}x", today().minusDays(91));
        store.recordLogin(old.id(), today());

        assertThat(new Expiry(config, store, clock).run(false).inactiveAccounts()).isZero();
        assertThat(store.findAccount(old.address())).isPresent();
    }

    @Test
    void dryRunChangesNothingAndReportsWhatTheRealRunDoes() throws IOException {
        deliver("old", ago(Duration.ofDays(25)), 1_000, UNSEEN);
        deliver("large", ago(Duration.ofDays(10)), 250_000, SEEN);
        deliver("young", ago(Duration.ofDays(1)), 1_000, UNSEEN);
        store.createAccountIfAbsent("inactive1@" + DOMAIN, "{SHA512-CRYPT}x", today().minusDays(100));
        List<Path> filesBefore = bodyFiles();
        long commitsBefore = store.commitCount();

        ExpiryReport dry = new Expiry(config, store, clock).run(true);

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.toString()).startsWith("would delete ");
        assertThat(store.commitCount()).as("a dry run writes nothing").isEqualTo(commitsBefore);
        assertThat(subjects()).containsExactly("old", "large", "young");
        assertThat(store.accountCount()).isEqualTo(2);
        assertThat(bodyFiles()).isEqualTo(filesBefore);

        ExpiryReport real = new Expiry(config, store, clock).run(false);

        assertThat(real.dryRun()).isFalse();
        assertThat(real.toString()).startsWith("deleted ");
        assertThat(List.of(real.oldMessages(), real.largeSeenMessages(), real.inactiveAccounts()))
                .isEqualTo(List.of(dry.oldMessages(), dry.largeSeenMessages(), dry.inactiveAccounts()))
                .isEqualTo(List.of(1, 1, 1));
        assertThat(real.bytes()).isEqualTo(dry.bytes()).isEqualTo(251_000);
        assertThat(subjects()).containsExactly("young");
        assertThat(bodyFiles()).isEmpty();

        ExpiryReport again = new Expiry(config, store, clock).run(false);
        assertThat(again).isEqualTo(new ExpiryReport(false, 0, 0, 0, 0, 0));
    }

    @Test
    void expiredDeviceTokensArePurgedAndTheDryRunCountsThem() {
        String entry = PushNotifier.DEVICE_TOKEN_ENTRY;
        Duration lifetime = Duration.ofDays(90); // what IMAP SETMETADATA gives a token
        Instant setAt = clock.instant();
        store.addMetadataValue(active.id(), entry, "old-device", setAt.plus(lifetime), 10);
        Account other = store.createAccountIfAbsent("otherone@" + DOMAIN, "{SHA512-CRYPT}x", today());
        store.addMetadataValue(other.id(), entry, "other-old", setAt.plus(lifetime), 10);
        clock.advance(Duration.ofDays(30));
        store.addMetadataValue(active.id(), entry, "new-device", clock.instant().plus(lifetime), 10);
        Expiry expiry = new Expiry(config, store, clock);

        clock.set(setAt.plus(lifetime).minusSeconds(1));
        assertThat(expiry.run(true).expiredDeviceTokens()).as("not yet expired").isZero();
        clock.set(setAt.plus(lifetime));
        ExpiryReport dry = expiry.run(true);
        assertThat(dry.expiredDeviceTokens()).isEqualTo(2);
        assertThat(dry.toString()).endsWith(", 0 inactive accounts and 2 expired device tokens");
        assertThat(storedTokens(active)).as("a dry run deletes nothing").containsExactly("old-device", "new-device");

        ExpiryReport real = expiry.run(false);
        assertThat(real.expiredDeviceTokens()).isEqualTo(2);
        assertThat(storedTokens(active)).containsExactly("new-device");
        assertThat(storedTokens(other)).isEmpty();
        assertThat(expiry.run(true).expiredDeviceTokens()).isZero();
    }

    /** Every stored token of the account, expired or not (asked as of the epoch). */
    private List<String> storedTokens(Account account) {
        return store.metadataValues(account.id(), PushNotifier.DEVICE_TOKEN_ENTRY, Instant.EPOCH);
    }

    @Test
    void aLargeExpiryWorksInBoundedPagesAndBatchesWhileDeliveriesGoOn() throws Exception {
        Account other = store.createAccountIfAbsent("otherone1@" + DOMAIN, "{SHA512-CRYPT}x", today());
        long otherInbox = store.mailbox(other.id(), "INBOX").orElseThrow().id();
        Account inactive = store.createAccountIfAbsent("inactive1@" + DOMAIN, "{SHA512-CRYPT}x", today().minusDays(91));
        long inactiveInbox = store.mailbox(inactive.id(), "INBOX").orElseThrow().id();
        int rounds = Expiry.PAGE + Expiry.PAGE / 4;
        int inactiveMessages = Expiry.DELETE_BATCH * 2 + 1;
        // Concurrent callers share commits: a few dozen fsyncs instead of one per message.
        try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < rounds; i++) {
                Instant date = ago(Duration.ofDays(21).plusSeconds(i));
                callers.submit(() -> store.deliver(new NewMessage(message("old", 500), date),
                        List.of(new DeliveryTarget(inbox, UNSEEN), new DeliveryTarget(otherInbox, UNSEEN))));
            }
            for (int i = 0; i < inactiveMessages; i++) {
                callers.submit(() -> store.deliver(new NewMessage(message("recent", 500), ago(Duration.ofDays(1))),
                        List.of(new DeliveryTarget(inactiveInbox, UNSEEN))));
            }
        }
        assertThat(store.usage(inactive.id())).isEqualTo(500L * inactiveMessages);
        assertThat(store.usage(other.id())).isEqualTo(500L * rounds);

        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        MailStore observed = observed(store, calls, delivered);

        ExpiryReport report = new Expiry(config, observed, clock).run(false);

        assertThat(report.oldMessages()).isEqualTo(2 * rounds);
        assertThat(report.inactiveAccounts()).isEqualTo(1);
        assertThat(delivered).isDone();
        assertThat(subjects()).containsExactly("delivered during expiry");
        assertThat(store.snapshot(otherInbox).messages()).isEmpty();
        assertThat(store.findAccount(inactive.address())).isEmpty();
        List<Integer> deletes = calls.stream().filter(c -> c.startsWith("delete "))
                .map(c -> Integer.parseInt(c.substring(7))).toList();
        assertThat(deletes).allSatisfy(n -> assertThat(n).isBetween(1, Expiry.DELETE_BATCH));
        assertThat(deletes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2 * rounds + inactiveMessages);
        assertThat(calls).filteredOn(c -> c.startsWith("page "))
                .allSatisfy(c -> assertThat(Integer.parseInt(c.substring(5))).isLessThanOrEqualTo(Expiry.PAGE));
        assertThat(calls.getLast()).as("the account row goes last, after its mail in batches")
                .isEqualTo("account " + inactive.id());
    }

    @Test
    void writesStoppedByTheirTimeBudgetStillExpireEverything() throws Exception {
        store.close();
        // A zero budget: every yielding write stops after its first statement.
        store = SqliteMailStore.open(dir, clock, SqliteStoreSettings.defaults().withYieldingWriteBudget(Duration.ZERO));
        int old = Expiry.DELETE_BATCH * 3 + 7;
        try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < old; i++) {
                Instant date = ago(Duration.ofDays(21).plusSeconds(i));
                callers.submit(() -> deliver("old", date, 500, UNSEEN));
            }
        }
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> delivered = new CompletableFuture<>();

        ExpiryReport report = new Expiry(config, observed(store, calls, delivered), clock).run(false);

        assertThat(report.oldMessages()).isEqualTo(old);
        assertThat(delivered).isDone();
        assertThat(subjects()).as("only what was delivered during the expiry").containsExactly("delivered during expiry");
        List<Integer> handled = calls.stream().filter(c -> c.startsWith("delete ")).map(c -> Integer.parseInt(c.substring(7)))
                .toList();
        assertThat(handled).as("each write stopped early, short of a batch").allSatisfy(n ->
                assertThat(n).isBetween(1, Expiry.DELETE_BATCH - 1));
        assertThat(handled.stream().mapToInt(Integer::intValue).sum()).isEqualTo(old);
    }

    @Test
    void afterEachWriteTheExpiryPausesThreeTimesAsLongSoItTakesAQuarterOfTheWriter() {
        Duration write = Duration.ofMillis(4);

        Duration pause = Expiry.pauseAfterWrite(write.toNanos());

        assertThat(pause).isEqualTo(Duration.ofMillis(12));
        assertThat((double) write.toNanos() / (write.toNanos() + pause.toNanos())).isEqualTo(0.25);
        assertThat(Expiry.pauseAfterWrite(Duration.ofSeconds(1).toNanos())).as("a write that waited long")
                .isEqualTo(Expiry.LONGEST_PAUSE);
        assertThat(Expiry.pauseAfterWrite(0)).isEqualTo(Duration.ZERO);
    }

    /**
     * The store, recording its expiry calls ("page N", "delete N" with how many a write handled,
     * "account ID"); at the second deletion a delivery from another thread has to get through.
     */
    private MailStore observed(MailStore target, List<String> calls, CompletableFuture<Void> delivered) {
        return (MailStore) Proxy.newProxyInstance(MailStore.class.getClassLoader(),
                new Class<?>[] {MailStore.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "delete", "deleteYielding" -> {
                            if (calls.stream().filter(c -> c.startsWith("delete")).count() == 1) {
                                Thread.ofVirtual().start(() -> {
                                    deliver("delivered during expiry", ago(Duration.ZERO), 1_000, UNSEEN);
                                    delivered.complete(null);
                                });
                                delivered.get(60, TimeUnit.SECONDS);
                            }
                        }
                        case "messagesReceivedBefore", "seenMessagesLargerThan", "messagesOldestFirst",
                             "accountsLastLoginBefore" -> calls.add("page " + args[args.length - 1]);
                        case "deleteAccount" -> calls.add("account " + args[0]);
                        default -> { }
                    }
                    Object result;
                    try {
                        result = method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    switch (method.getName()) {
                        case "delete" -> calls.add("delete " + ((Collection<?>) args[0]).size());
                        case "deleteYielding" -> calls.add("delete " + result);
                        default -> { }
                    }
                    return result;
                });
    }

    @Test
    void movingTheClockExpiresWhatWasYoung() {
        deliver("delivered today", ago(Duration.ZERO), 1_000, UNSEEN);
        Expiry expiry = new Expiry(config, store, clock);

        clock.advance(Duration.ofDays(20));
        assertThat(expiry.run(false).oldMessages()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(expiry.run(false).oldMessages()).isEqualTo(1);
        assertThat(subjects()).isEmpty();
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private Instant ago(Duration d) {
        return clock.instant().minus(d);
    }

    private void deliver(String subject, Instant internalDate, int size, Set<String> flags) {
        store.deliver(new NewMessage(message(subject, size), internalDate), List.of(new DeliveryTarget(inbox, flags)));
    }

    /** An RFC 5322 message of exactly {@code size} bytes whose Subject identifies it. */
    static byte[] message(String subject, int size) {
        byte[] header = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[size];
        System.arraycopy(header, 0, content, 0, header.length);
        Arrays.fill(content, header.length, size, (byte) 'x');
        return content;
    }

    /** Subjects of the active account's INBOX, in UID order. */
    private List<String> subjects() {
        return store.snapshot(inbox).messages().stream().map(MessageInfo::uid).map(uid -> {
            try {
                String text = new String(store.content(inbox, uid), 0, 200, StandardCharsets.US_ASCII);
                int start = text.indexOf("Subject: ") + 9;
                return text.substring(start, text.indexOf('\r', start));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private List<Path> bodyFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("chatmail.sqlite"))
                    .sorted().toList();
        }
    }
}
