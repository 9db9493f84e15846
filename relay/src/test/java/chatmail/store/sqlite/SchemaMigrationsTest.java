package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.delivery.outbound.SqliteOutboundQueueStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start skips Flyway only when Flyway itself would have nothing to do: the check must agree
 * with what Flyway recorded, and every difference (a pending script, a changed checksum, a
 * failed run) must send the start through Flyway.
 */
class SchemaMigrationsTest {

    @TempDir
    Path dataDir;

    @Test
    void aDatabaseFlywayJustMigratedIsUpToDate() throws Exception {
        SqliteMailStore.open(dataDir, Clock.systemUTC()).close();

        try (Connection c = connect()) {
            assertThat(SchemaMigrations.upToDate(c)).isTrue();
            assertThat(count(c, "SELECT count(*) FROM flyway_schema_history"))
                    .as("one row per script this build carries").isEqualTo(SchemaMigrations.available().size());
        }
    }

    @Test
    void theChecksumsAreFlywaysOwn() throws Exception {
        SqliteMailStore.open(dataDir, Clock.systemUTC()).close();

        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT script, checksum FROM flyway_schema_history")) {
            var recorded = new java.util.HashMap<String, Integer>();
            while (rs.next()) {
                recorded.put(rs.getString(1), rs.getInt(2));
            }
            for (SchemaMigrations.Script script : SchemaMigrations.available()) {
                assertThat(recorded).containsEntry(script.name(), script.checksum());
            }
        }
    }

    @Test
    void aDatabaseOfAnOlderBuildIsMigratedOnOpen() throws Exception {
        String newest = SchemaMigrations.available().stream().map(SchemaMigrations.Script::version)
                .max(java.util.Comparator.comparing(Integer::valueOf)).orElseThrow();
        String older = Integer.toString(Integer.parseInt(newest) - 1);
        migrateTo(url(), older);
        try (Connection c = connect()) {
            assertThat(SchemaMigrations.upToDate(c)).as("a script is pending").isFalse();
        }

        SqliteMailStore.open(dataDir, Clock.systemUTC()).close();

        try (Connection c = connect()) {
            assertThat(count(c, "SELECT count(*) FROM flyway_schema_history WHERE version = '" + newest + "' AND success = 1"))
                    .isEqualTo(1);
            assertThat(SchemaMigrations.upToDate(c)).isTrue();
        }
    }

    @Test
    void aChangedChecksumOrAFailedRunIsNotUpToDate() throws Exception {
        SqliteMailStore.open(dataDir, Clock.systemUTC()).close();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
            assertThat(SchemaMigrations.upToDate(c)).as("checksum").isFalse();
            s.execute("UPDATE flyway_schema_history SET checksum = checksum - 1, success = 0 WHERE version = '1'");
            assertThat(SchemaMigrations.upToDate(c)).as("failed run").isFalse();
            s.execute("UPDATE flyway_schema_history SET success = 1 WHERE version = '1'");
            assertThat(SchemaMigrations.upToDate(c)).as("restored").isTrue();
        }
    }

    @Test
    void aSideConnectionOpensOnAnUpToDateDatabaseAndOnAFreshOne() throws Exception {
        SqliteOutboundQueueStore.open(dataDir).close();
        try (Connection c = connect()) {
            assertThat(SchemaMigrations.upToDate(c)).as("a side connection migrates a fresh database").isTrue();
        }
        SqliteOutboundQueueStore.open(dataDir).close();
        SqliteMailStore.open(dataDir, Clock.systemUTC()).close();
    }

    /**
     * V11 rebuilds accounts and mailboxes, which every mail row points at with ON DELETE CASCADE:
     * every row must come through with its id, and nothing may cascade away.
     */
    @Test
    void rebuildingAccountsAndMailboxesKeepsEveryRowAndLink() throws Exception {
        migrateTo(url(), "10");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO accounts VALUES (7, 'a@example.org', 'h', 1, 2), (9, 'b@example.org', 'h', 1, 3)");
            s.execute("INSERT INTO mailboxes VALUES (30, 7, 'INBOX', 5, 3, 4, 1), (31, 9, 'INBOX', 6, 2, 2, 0)");
            s.execute("INSERT INTO bodies VALUES (1, 2, 3, x'616263', NULL)");
            s.execute("INSERT INTO messages VALUES (30, 1, 7, 1, '', 0, 2, 3, 100), (31, 1, 9, 1, '\\Seen', 1, 2, 3, 100)");
            s.execute("INSERT INTO metadata VALUES (1, 9, NULL, '/private/devicetoken', x'74', 1, NULL)");
            s.execute("INSERT INTO push_queue (account_id, token, next_attempt_at, created_at) VALUES (9, 't', 1, 1)");
            s.execute("INSERT INTO login_verifiers VALUES (9, 1, x'01')");
        }

        try (SqliteMailStore store = SqliteMailStore.open(dataDir, Clock.systemUTC())) {
            assertThat(store.statistics(java.time.LocalDate.of(1970, 1, 2)))
                    .as("V12 starts its totals from the rows already there")
                    .extracting(chatmail.store.StoreStatistics::messages, chatmail.store.StoreStatistics::bytes)
                    .containsExactly(2L, 3L);
        }

        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertThat(rows(c, "SELECT id || address || password_hash || created_day || last_login_day FROM accounts ORDER BY id"))
                    .containsExactly("7a@example.orgh12", "9b@example.orgh13");
            assertThat(rows(c, "SELECT id || account_id || name || uidvalidity || uidnext || highestmodseq || expunged_modseq"
                    + " FROM mailboxes ORDER BY id")).containsExactly("307INBOX5341", "319INBOX6220");
            assertThat(count(c, "SELECT count(*) FROM messages")).isEqualTo(2);
            assertThat(count(c, "SELECT count(*) FROM metadata")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM push_queue")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM login_verifiers")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM pragma_foreign_key_check")).as("every link resolves").isZero();

            s.execute("PRAGMA foreign_keys = ON");
            s.execute("DELETE FROM accounts WHERE id = 9");
            assertThat(rows(c, "SELECT mailbox_id FROM messages")).as("the cascades still work").containsExactly("30");
            assertThat(count(c, "SELECT count(*) FROM metadata") + count(c, "SELECT count(*) FROM push_queue")
                    + count(c, "SELECT count(*) FROM login_verifiers")).isZero();
            s.execute("UPDATE bodies SET size = 10 WHERE id = 1");
            assertThat(count(c, "SELECT value FROM store_counters WHERE name = 'stored_body_bytes'"))
                    .as("a body's size changed in place moves the total").isEqualTo(10);
            assertThat(count(c, "SELECT value FROM store_counters WHERE name = 'stored_messages'"))
                    .as("the cascade's deletions counted").isEqualTo(1);
            s.execute("INSERT INTO accounts (address, password_hash, created_day, last_login_day) VALUES ('c@example.org', 'h', 1, 1)");
            assertThat(count(c, "SELECT id FROM accounts WHERE address = 'c@example.org'")).as("9 is not given again").isEqualTo(10);
        }
    }

    /** With foreign keys enforced, V11's DROP TABLE would delete every message: it refuses instead. */
    @Test
    void theRebuildRefusesToRunWithForeignKeysEnforced() throws Exception {
        migrateTo(url(), "10");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO accounts VALUES (7, 'a@example.org', 'h', 1, 2)");
            s.execute("INSERT INTO mailboxes VALUES (30, 7, 'INBOX', 5, 3, 4, 1)");
            s.execute("INSERT INTO bodies VALUES (1, 1, 3, x'616263', NULL)");
            s.execute("INSERT INTO messages VALUES (30, 1, 7, 1, '', 0, 2, 3, 100)");
        }

        assertThatThrownBy(() -> migrateTo(url() + "?foreign_keys=true", "11"))
                .hasStackTraceContaining("CHECK constraint failed");

        try (Connection c = connect()) {
            assertThat(count(c, "SELECT count(*) FROM messages")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM accounts")).isEqualTo(1);
        }
    }

    private String url() {
        return "jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    private static java.util.List<String> rows(Connection c, String sql) throws SQLException {
        var rows = new java.util.ArrayList<String>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The SQLite migrations up to {@code version} on the database at {@code url}, as Flyway runs them at start. */
    private static void migrateTo(String url, String version) {
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target(version).load().migrate();
    }
}
