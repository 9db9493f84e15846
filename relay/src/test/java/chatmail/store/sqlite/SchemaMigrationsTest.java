package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

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
        Flyway.configure().dataSource(url(), null, null).locations("classpath:db/migration").target(older).load().migrate();
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

    private String url() {
        return "jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
