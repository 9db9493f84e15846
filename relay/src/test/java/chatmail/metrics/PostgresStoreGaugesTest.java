package chatmail.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.Relay;
import chatmail.testing.PrometheusText;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL the store's totals are counted over the whole cluster's tables, so a scrape reads
 * them at most once per {@link Relay#SHARED_STATISTICS_MAX_AGE} (by the relay's clock); on SQLite
 * they are counters, read by every scrape.
 */
class PostgresStoreGaugesTest {

    @TempDir
    Path dir;

    @Test
    void scrapesWithinTheBoundReadTheLastTotalsAndTheNextAfterItTakesThemAgain() throws Exception {
        try (TestRelay relay = TestRelay.start(dir, b -> b.storage = TestPostgres.get().newDatabase())) {
            double before = accounts(relay, "cluster");
            createAccount(relay, "gaugeone1");

            assertThat(accounts(relay, "cluster")).as("within the bound: the last totals").isEqualTo(before);

            relay.clock().advance(Relay.SHARED_STATISTICS_MAX_AGE);
            assertThat(accounts(relay, "cluster")).isEqualTo(before + 1);
        }
    }

    @Test
    void onSqliteEveryScrapeReadsTheCounters() throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            double before = accounts(relay, "node");
            createAccount(relay, "gaugetwo1");

            assertThat(accounts(relay, "node")).isEqualTo(before + 1);
        }
    }

    private static void createAccount(TestRelay relay, String user) {
        relay.relay().store().createAccountIfAbsent(TestRelay.address(user), "{SHA512-CRYPT}x",
                LocalDate.ofInstant(relay.clock().instant(), ZoneOffset.UTC));
    }

    private static double accounts(TestRelay relay, String scope) {
        return PrometheusText.value(PrometheusText.scrape(relay.relay().metrics()), "chatmail_accounts", "scope", scope);
    }
}
