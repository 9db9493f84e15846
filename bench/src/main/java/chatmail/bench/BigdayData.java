package chatmail.bench;

import chatmail.account.PasswordHasher;
import chatmail.push.PushNotifier;
import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.NewMessage;
import chatmail.store.sqlite.SqliteMailStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What {@code bench bigday} writes into the relay's data directory through the store (the relay
 * stopped), the way the relay itself would have written it: accounts sharing one precomputed
 * SHA512-CRYPT hash (500,000 distinct hashes would take half an hour of CPU), device tokens of
 * the accounts that hold IDLE connections, and back-dated messages for the expiry to delete.
 * Many concurrent callers, so the store's writer commits large groups.
 */
final class BigdayData {

    /** As IMAP SETMETADATA stores a token: 90 days, at most 20 per account. */
    private static final Duration TOKEN_LIFETIME = Duration.ofDays(90);
    private static final int MAX_TOKENS = 20;
    private static final int CALLERS = 256;

    private final Path dataDir;
    private final BenchTarget target;
    private final Clock clock = Clock.systemUTC();

    BigdayData(Path dataDir, BenchTarget target) {
        this.dataDir = dataDir;
        this.target = target;
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Accounts {@code 0 … count-1}, logged in today; the first {@code withTokens} get a device token each. */
    void accounts(int count, int withTokens) throws IOException, InterruptedException {
        String hash = new PasswordHasher().hash(target.password());
        LocalDate today = today();
        Instant tokenExpiry = clock.instant().plus(TOKEN_LIFETIME);
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, clock)) {
            parallel(count, i -> {
                Account a = store.createAccountIfAbsent(target.address(i), hash, today);
                if (i < withTokens) {
                    store.addMetadataValue(a.id(), PushNotifier.DEVICE_TOKEN_ENTRY, PushSink.token(i), tokenExpiry, MAX_TOKENS);
                }
            });
        }
    }

    /**
     * Accounts {@code first … first+count-1} whose last login was {@code daysAgo} days ago, each
     * with {@code messages} recent messages (which the inactive account's deletion takes along).
     */
    void inactiveAccounts(int first, int count, int daysAgo, int messages) throws IOException, InterruptedException {
        String hash = new PasswordHasher().hash(target.password());
        LocalDate then = today().minusDays(daysAgo);
        byte[] content = message(2048);
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, clock)) {
            parallel(count, i -> {
                Account a = store.createAccountIfAbsent(target.address(first + i), hash, then);
                long inbox = store.mailbox(a.id(), "INBOX").orElseThrow().id();
                for (int m = 0; m < messages; m++) {
                    store.deliver(new NewMessage(content, clock.instant().minus(Duration.ofDays(1))),
                            List.of(new DeliveryTarget(inbox, Set.of())));
                }
            });
        }
    }

    /**
     * {@code messages} messages of {@code size} bytes spread at random over the INBOXes of
     * accounts {@code 0 … accounts-1}, with internal dates at random within the day before
     * {@code olderThan} ago: what a day of mail looks like when expiry comes for it. A delivery
     * goes to {@code perDelivery} recipients at once (a group message: one body, several rows),
     * which keeps the database to a few GB at millions of rows.
     */
    void expiredMessages(int accounts, long messages, int size, int perDelivery, Duration olderThan)
            throws IOException, InterruptedException {
        long[] inboxes = new long[accounts];
        byte[] content = message(size);
        Instant newest = clock.instant().minus(olderThan);
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, clock)) {
            parallel(accounts, i -> inboxes[i] = store.mailbox(
                    store.findAccount(target.address(i)).orElseThrow().id(), "INBOX").orElseThrow().id());
            int deliveries = (int) ((messages + perDelivery - 1) / perDelivery);
            parallel(deliveries, d -> {
                SplittableRandom random = new SplittableRandom(d);
                int n = (int) Math.min(perDelivery, messages - (long) d * perDelivery);
                List<DeliveryTarget> targets = new ArrayList<>(n);
                for (int t = 0; t < n; t++) {
                    targets.add(new DeliveryTarget(inboxes[random.nextInt(accounts)], Set.of()));
                }
                Instant date = newest.minusMillis(random.nextLong(Duration.ofDays(1).toMillis()));
                store.deliver(new NewMessage(content, date), targets);
            });
        }
    }

    /** A Delta Chat-shaped encrypted message of about {@code size} bytes, as the load sends. */
    private byte[] message(int size) {
        return new PgpMimeMessages().template(size).message(target.address(0), target.address(1), "old@bench.localhost");
    }

    /** Bytes of the store's WAL file now (0 when there is none). */
    long walBytes() {
        try {
            return Files.size(dataDir.resolve("chatmail.sqlite-wal"));
        } catch (IOException e) {
            return 0;
        }
    }

    /** Bytes of the database, its WAL and the body files. */
    long bytesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    @FunctionalInterface
    private interface Task {
        void run(int index) throws Exception;
    }

    /** Runs {@code task} for 0 … n-1 with {@link #CALLERS} concurrent callers; the first failure is thrown. */
    private static void parallel(int n, Task task) throws IOException, InterruptedException {
        Semaphore permits = new Semaphore(CALLERS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n && failure.get() == null; i++) {
                int index = i;
                permits.acquire();
                pool.submit(() -> {
                    try {
                        task.run(index);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        if (failure.get() != null) {
            throw new IOException("writing bench data through the store failed: " + failure.get(), failure.get());
        }
    }
}
