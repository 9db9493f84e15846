package chatmail.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.store.DeliveryTarget;
import chatmail.store.NewMessage;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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

    @Test
    void testRelaysRunNoExpiryUnlessAsked() throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            assertThat(relay.relay().expiryScheduler()).isEmpty();
        }
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
