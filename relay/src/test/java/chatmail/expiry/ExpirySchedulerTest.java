package chatmail.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore;
import chatmail.store.NewMessage;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC EXP-1 "daily and at start-up". */
class ExpirySchedulerTest {

    @TempDir
    Path dir;

    @Test
    void runsAtStartAndThenEveryInterval() throws Exception {
        MutableClock clock = new MutableClock();
        Config.Builder b = Config.builder("chatmail.localhost");
        b.dataDir = dir;
        Config config = b.build();
        try (SqliteMailStore store = SqliteMailStore.open(dir, clock)) {
            long inbox = oldMessageIn(store, clock);
            LinkedBlockingQueue<ExpiryReport> runs = new LinkedBlockingQueue<>();

            try (ExpiryScheduler scheduler = new ExpiryScheduler(new Expiry(config, store, clock),
                    Duration.ofMillis(200), runs::add)) {
                ExpiryReport first = scheduler.firstRun().get(30, TimeUnit.SECONDS);
                assertThat(first.oldMessages()).isEqualTo(1);
                assertThat(store.snapshot(inbox).messages()).isEmpty();

                // The next runs come by themselves, without anyone asking.
                assertThat(runs.poll(30, TimeUnit.SECONDS)).isEqualTo(first);
                assertThat(runs.poll(30, TimeUnit.SECONDS)).isNotNull();
                assertThat(runs.poll(30, TimeUnit.SECONDS)).isNotNull();
            }
        }
    }

    @Test
    void theRelayRunsExpiryAtStartUp() throws Exception {
        MutableClock clock = new MutableClock();
        try (SqliteMailStore store = SqliteMailStore.open(dir, clock)) {
            oldMessageIn(store, clock);
        }
        Config.Builder b = Config.builder(TestRelay.DOMAIN);
        b.dataDir = dir;
        b.listenAddresses = List.of("127.0.0.1");
        try (Relay relay = Relay.start(b.build(), new Relay.Options(clock, ResourceProbe.ample(), true, true))) {
            ExpiryReport first = relay.expiryScheduler().orElseThrow().firstRun().get(30, TimeUnit.SECONDS);
            assertThat(first.oldMessages()).isEqualTo(1);
            assertThat(relay.store().messagesReceivedBefore(clock.instant().plus(Duration.ofDays(1)), null, 100)).isEmpty();
        }
    }

    /**
     * A stop in the middle of a big expiry (the start-up run of a big day) waits for the store
     * call in progress, not for the rest of the run; the store closes cleanly and the next run
     * deletes the rest.
     */
    @Test
    void aStopEndsTheRunInProgressAfterItsCurrentWriteAndTheNextRunDeletesTheRest() throws Exception {
        MutableClock clock = new MutableClock();
        Config.Builder b = Config.builder("chatmail.localhost");
        b.dataDir = dir;
        Config config = b.build();
        int old = Expiry.DELETE_BATCH * 20;
        long inbox;
        try (SqliteMailStore store = SqliteMailStore.open(dir, clock)) {
            inbox = oldMessagesIn(store, clock, old);
        }

        AtomicInteger writes = new AtomicInteger();
        AtomicInteger deleted = new AtomicInteger();
        CountDownLatch secondWriteBegun = new CountDownLatch(1);
        CountDownLatch stopRequested = new CountDownLatch(1);
        ExpiryScheduler scheduler;
        try (SqliteMailStore store = SqliteMailStore.open(dir, clock)) {
            // The second write waits until the stop has been requested: the stop comes mid-way, with a write in progress.
            MailStore stoppedMidWay = (MailStore) Proxy.newProxyInstance(MailStore.class.getClassLoader(),
                    new Class<?>[] {MailStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("deleteYielding") && writes.incrementAndGet() == 2) {
                            secondWriteBegun.countDown();
                            stopRequested.await();
                        }
                        Object result;
                        try {
                            result = method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("deleteYielding")) {
                            deleted.addAndGet((Integer) result);
                        }
                        return result;
                    });
            scheduler = new ExpiryScheduler(new Expiry(config, stoppedMidWay, clock), Duration.ofDays(1));
            secondWriteBegun.await();
            scheduler.stop();
            stopRequested.countDown();
            scheduler.close();

            assertThat(scheduler.firstRun()).as("the run ended by the stop, not completed").isCompletedExceptionally();
            assertThat(writes).as("no write after the stop").hasValue(2);
            assertThat(deleted.get()).isPositive();
            assertThat(store.snapshot(inbox).messages()).hasSize(old - deleted.get());
        }
        assertThat(dir.resolve("chatmail.sqlite-wal")).as("the store closed cleanly, its WAL checkpointed").doesNotExist();

        try (SqliteMailStore reopened = SqliteMailStore.open(dir, clock)) {
            assertThat(reopened.snapshot(inbox).messages()).hasSize(old - deleted.get());
            ExpiryReport next = new Expiry(config, reopened, clock).run(false);
            assertThat(next.oldMessages()).isEqualTo(old - deleted.get());
            assertThat(reopened.snapshot(inbox).messages()).isEmpty();
        }
    }

    @Test
    void testRelaysRunNoExpiryUnlessAsked() throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            assertThat(relay.relay().expiryScheduler()).isEmpty();
        }
    }

    private static long oldMessagesIn(SqliteMailStore store, MutableClock clock, int count) {
        var account = store.createAccountIfAbsent("expiring@chatmail.localhost", "{SHA512-CRYPT}x",
                java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
        long inbox = store.mailbox(account.id(), "INBOX").orElseThrow().id();
        // Concurrent callers share commits.
        try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                var date = clock.instant().minus(Duration.ofDays(30)).plusSeconds(i);
                callers.submit(() -> store.deliver(new NewMessage(ExpiryTest.message("old", 500), date),
                        List.of(new DeliveryTarget(inbox, Set.of()))));
            }
        }
        return inbox;
    }

    private static long oldMessageIn(SqliteMailStore store, MutableClock clock) {
        var account = store.createAccountIfAbsent("expiring@chatmail.localhost", "{SHA512-CRYPT}x",
                java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
        long inbox = store.mailbox(account.id(), "INBOX").orElseThrow().id();
        store.deliver(new NewMessage(ExpiryTest.message("old", 500), clock.instant().minus(Duration.ofDays(30))),
                List.of(new DeliveryTarget(inbox, Set.of())));
        return inbox;
    }
}
