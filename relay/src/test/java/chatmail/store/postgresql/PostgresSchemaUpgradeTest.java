package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Migrations that change how existing data is read must carry that data over (issue 16). */
class PostgresSchemaUpgradeTest {

    @Test
    void mailboxUsageCountsTheMessagesStoredBeforeTheCountExisted() throws Exception {
        StorageSettings settings = TestPostgres.get().newEmptyDatabase();
        String password = Files.readAllLines(settings.postgresqlPasswordFile(), StandardCharsets.UTF_8).getFirst().strip();
        Flyway.configure().dataSource(settings.postgresqlUrl(), null, password).locations(PostgresDatabase.MIGRATIONS)
                .target("7").load().migrate();
        Properties credentials = new Properties();
        credentials.setProperty("password", password);
        long alice;
        long bob;
        try (Connection c = DriverManager.getConnection(settings.postgresqlUrl(), credentials);
                Statement s = c.createStatement()) {
            alice = account(s, "alice@example.org");
            bob = account(s, "bob@example.org");
            long inbox = mailbox(s, alice, "INBOX");
            long archive = mailbox(s, alice, "Archive");
            mailbox(s, bob, "INBOX");
            s.executeUpdate("INSERT INTO bodies (id, refcount, size) VALUES (1, 3, 0)");
            s.executeUpdate("INSERT INTO messages (mailbox_id, uid, account_id, body_id, modseq, size, internal_date)"
                    + " VALUES (" + inbox + ", 1, " + alice + ", 1, 1, 1000, 0), (" + inbox + ", 2, " + alice
                    + ", 1, 1, 234, 0), (" + archive + ", 1, " + alice + ", 1, 1, 5000, 0)");
        }

        try (PostgresMailStore store = new PostgresMailStore(PostgresDatabase.open(settings, 2),
                new MutableClock(Instant.parse("2025-03-10T12:00:00Z")), events -> { }, true)) {
            assertThat(store.usage(alice)).isEqualTo(6234);
            assertThat(store.usage(bob)).isZero();
        }
    }

    @Test
    void bodyChunksAreStoredOutOfLineUncompressed() throws Exception {
        StorageSettings settings = TestPostgres.get().newDatabase();
        String database = settings.postgresqlUrl().replaceAll(".*/([^/?]+)\\?.*", "$1");
        try (Connection c = TestPostgres.get().connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT attstorage FROM pg_attribute"
                        + " WHERE attrelid = 'body_chunks'::regclass AND attname = 'data'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("EXTERNAL: no compression attempt on encrypted bodies").isEqualTo("e");
        }
    }

    private static long account(Statement s, String address) throws Exception {
        try (ResultSet rs = s.executeQuery("INSERT INTO accounts (address, password_hash, created_day, last_login_day)"
                + " VALUES ('" + address + "', 'hash', 20000, 20000) RETURNING id")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long mailbox(Statement s, long account, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("INSERT INTO mailboxes (account_id, name, uidvalidity) VALUES (" + account
                + ", '" + name + "', 1) RETURNING id")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
