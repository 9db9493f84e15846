package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.ImportedMessage;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MessageBody;
import chatmail.store.MessageRef;
import chatmail.store.NewMessage;
import chatmail.store.QueuedCopy;
import chatmail.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-account work must not grow with the number of accounts (PERF-2: 500,000 of them). Every
 * statement the store prepares while each of its methods runs is checked with EXPLAIN QUERY
 * PLAN: none may scan a whole table. And every foreign key's child columns lead an index, so
 * deleting an account (the cascade) searches instead of scanning each child table.
 */
public class QueryPlanTest {

    /** Statements that look at every row on purpose, with the reason. */
    private static final Map<String, String> WHOLE_TABLE = Map.of(
            "SELECT count(*) FROM accounts", "the account total, for the status page only",
            """
                SELECT (SELECT count(*) FROM accounts),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT value FROM store_counters WHERE name = 'stored_messages'),
                       (SELECT value FROM store_counters WHERE name = 'stored_body_bytes')""",
            "storage gauges (OPS-3), once per scrape on a reader: the account total over the last-login index,"
                    + " a few bytes an account; messages and bytes are kept totals",
            "SELECT count(*) FROM deferred_body_deletions", "start-up with no live backup hold: the whole list goes");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));

    /** Keeps every SQL text a connection prepares. */
    private static final class RecordingStatements extends StatementCache {
        private final Set<String> sql;

        RecordingStatements(Connection connection, Set<String> sql) {
            super(connection);
            this.sql = sql;
        }

        @Override
        java.sql.PreparedStatement get(String text) throws SQLException {
            sql.add(text);
            return super.get(text);
        }
    }

    @Test
    void noStatementOfTheStoreScansAWholeTable() throws Exception {
        Set<String> prepared = ConcurrentHashMap.newKeySet();
        Set<String> called = ConcurrentHashMap.newKeySet();
        try (SqliteMailStore real = SqliteMailStore.open(dir, clock, SqliteStoreSettings.defaults(),
                connection -> new RecordingStatements(connection, prepared))) {
            MailStore store = (MailStore) Proxy.newProxyInstance(MailStore.class.getClassLoader(),
                    new Class<?>[] {MailStore.class}, (proxy, method, args) -> {
                        called.add(method.getName());
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            useEveryMethod(store);
        }
        Set<String> all = Arrays.stream(MailStore.class.getMethods()).map(Method::getName).collect(Collectors.toSet());
        all.removeAll(Set.of("events", "close"));
        assertThat(called).as("the scenario below uses every store method").containsAll(all);

        Map<String, List<String>> scans = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME))) {
            for (String sql : new TreeSet<>(prepared)) {
                if (!sql.matches("(?s)^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH).*") || WHOLE_TABLE.containsKey(sql)) {
                    continue;
                }
                List<String> plan = plan(c, sql);
                // A list of values the statement itself carries (VALUES, a WITH table of them) is no table.
                java.util.regex.Matcher cte = java.util.regex.Pattern.compile("^WITH (\\w+)").matcher(sql.strip());
                String own = cte.find() ? cte.group(1) : null;
                List<String> fullScans = plan.stream().filter(QueryPlanTest::readsWholeTable)
                        .filter(line -> !line.matches("SCAN \\d+ CONSTANT ROWS"))
                        .filter(line -> own == null || !line.equals("SCAN " + own)).toList();
                if (!fullScans.isEmpty()) {
                    scans.put(sql, plan);
                }
            }
            assertThat(scans).as("statements that scan a whole table, with their plans").isEmpty();
            assertThat(prepared).as("the statements of a login, IDLE/SELECT, quota, metadata and expiry were seen")
                    .anyMatch(s -> s.contains("LEFT JOIN login_verifiers"))
                    .anyMatch(s -> s.contains("sum(size)"))
                    .anyMatch(s -> s.contains("FROM metadata"))
                    .anyMatch(s -> s.contains("(internal_date, mailbox_id, uid) >"));

            assertThat(unindexedForeignKeys(c)).as("foreign keys whose child columns lead no index").isEmpty();
        }
    }

    /** Every method of the store, with data so each statement runs at least once. */
    private void useEveryMethod(MailStore store) throws Exception {
        LocalDate today = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
        Account alice = store.createAccountIfAbsent("alice1234@x.localhost", "{SHA512-CRYPT}a", today);
        Account bob = store.createAccountIfAbsent("bob123456@x.localhost", "{SHA512-CRYPT}b", today.minusDays(100));
        store.findAccount(alice.address());
        store.findAccountWithUsage(alice.address());
        store.saveLoginVerifier(alice.id(), 7, new byte[] {1, 2});
        store.findLogin(alice.address(), 7);
        store.recordLogin(alice.id(), today.plusDays(1));
        store.accountsLastLoginBefore(today, 0, 10);
        store.accountCount();

        Mailbox inbox = store.mailbox(alice.id(), "INBOX").orElseThrow();
        Mailbox sent = store.createMailbox(alice.id(), "Sent");
        store.mailboxes(alice.id());
        Mailbox bobInbox = store.mailbox(bob.id(), "INBOX").orElseThrow();
        store.deliveryMailboxId(bob.id(), "INBOX");
        store.deliver(new NewMessage(TestMessages.message(1, 300_000), clock.instant().minus(Duration.ofDays(30))),
                List.of(new DeliveryTarget(inbox.id(), Set.of("\\Seen")), new DeliveryTarget(bobInbox.id(), Set.of())));
        store.deliver(new NewMessage(TestMessages.message(2, 2_000), clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of())));
        store.snapshot(inbox.id());
        store.changesSince(inbox.id(), 1);
        store.content(inbox.id(), 1);
        store.content(inbox.id(), 2);
        store.open(inbox.id(), 1).close();
        store.open(inbox.id(), 2).close();
        store.updateFlags(inbox.id(), List.of(1L, 2L), MailStore.FlagUpdate.ADD, Set.of("\\Flagged"));
        store.copy(inbox.id(), List.of(2L), sent.id());
        store.expunge(sent.id(), List.of(1L));
        store.usage(alice.id());

        List<MessageRef> old = store.messagesReceivedBefore(clock.instant().minus(Duration.ofDays(20)), null, 10);
        store.messagesReceivedBefore(clock.instant(), old.getFirst(), 10);
        store.seenMessagesLargerThan(200_000, clock.instant(), null, 10);
        List<MessageRef> alices = store.messagesOldestFirst(alice.id(), null, 1);
        store.messagesOldestFirst(alice.id(), alices.getFirst(), 1);
        store.delete(alices);
        // The expiry's deletes, which give way to deliveries in the writer.
        store.deleteYielding(store.messagesReceivedBefore(clock.instant().plus(Duration.ofDays(1)), null, 1));

        Instant later = clock.instant().plus(Duration.ofDays(90));
        store.addMetadataValue(alice.id(), "/private/devicetoken", "t1", later, 1);
        store.addMetadataValue(alice.id(), "/private/devicetoken", "t2", later, 1);
        store.metadataValues(alice.id(), "/private/devicetoken", clock.instant());
        store.removeMetadataValue(alice.id(), "/private/devicetoken", "t2");
        store.clearMetadata(alice.id(), "/private/devicetoken");
        store.addMetadataValue(alice.id(), "/private/devicetoken", "t3", clock.instant(), 2);
        store.expiredMetadataValues("/private/devicetoken", clock.instant());
        store.deleteExpiredMetadataValues("/private/devicetoken", clock.instant(), 10);
        store.statistics(today);

        // A submission: local copies and the outbound queue entry in one commit (SEC-5 claims).
        Acceptance.Copy local = new Acceptance.Copy(new NewMessage(TestMessages.message(3, 2_000), clock.instant()),
                List.of(new DeliveryTarget(inbox.id(), Set.of())));
        QueuedCopy remote = new QueuedCopy(alice.address(), List.of("carol@y.localhost"), new byte[0],
                MessageBody.of(TestMessages.message(4, 2_000)), clock.instant(), clock.instant().plus(Duration.ofMinutes(30)));
        store.commit(new Acceptance(List.of(local), Optional.of(remote)));

        // A body file released while a backup holds (MIG-2): listed, not unlinked.
        store.deliver(new NewMessage(TestMessages.message(5, 300_000), clock.instant()),
                List.of(new DeliveryTarget(bobInbox.id(), Set.of())));
        try (SqliteBackupSource backup = SqliteBackupSource.open(dir)) {
            backup.hold(Duration.ofMinutes(1));
            store.delete(store.messagesOldestFirst(bob.id(), null, 10));
            backup.release();
        }

        // import-reference (MIG-1).
        Account dora = store.importAccount("dora12345@x.localhost", "{SHA512-CRYPT}d", today.minusDays(3), today);
        Mailbox doraInbox = store.importMailbox(dora.id(), "INBOX", 1234, 10);
        store.importMessages(doraInbox.id(), List.of(new ImportedMessage(3, Set.of("\\Seen"), clock.instant(),
                MessageBody.of(TestMessages.message(6, 2_000)))));
        store.importHighestModseq(doraInbox.id(), 40);
        store.importMetadataValue(dora.id(), "/private/devicetoken", "t4", clock.instant(),
                clock.instant().plus(Duration.ofDays(90)), 2);
        store.deleteAccount(bob.id());
    }

    /**
     * A SCAN; or a SEARCH that names no index or key: SQLite prints that for min()/max() over a
     * column no index leads (it tries its min/max shortcut, then reads every row).
     */
    public static boolean readsWholeTable(String planLine) {
        return planLine.startsWith("SCAN ") || planLine.matches("SEARCH \\w+( AS \\w+)?");
    }

    public static List<String> plan(Connection c, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rows.next()) {
                lines.add(rows.getString("detail"));
            }
        }
        return lines;
    }

    /** Foreign keys (child table.column) with no index whose first column is that column. */
    static List<String> unindexedForeignKeys(Connection c) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        for (String table : tables) {
            Set<String> leading = new TreeSet<>();
            try (Statement s = c.createStatement();
                 ResultSet indexes = s.executeQuery("SELECT name FROM pragma_index_list('" + table + "')")) {
                List<String> names = new ArrayList<>();
                while (indexes.next()) {
                    names.add(indexes.getString(1));
                }
                for (String index : names) {
                    try (Statement t = c.createStatement(); ResultSet columns = t.executeQuery(
                            "SELECT name FROM pragma_index_info('" + index + "') WHERE seqno = 0")) {
                        // An index on an expression has no column name there (and leads no key).
                        if (columns.next() && columns.getString(1) != null) {
                            leading.add(columns.getString(1));
                        }
                    }
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet keys = s.executeQuery("SELECT \"from\" FROM pragma_foreign_key_list('" + table + "')")) {
                while (keys.next()) {
                    if (!leading.contains(keys.getString(1))) {
                        missing.add(table + "." + keys.getString(1));
                    }
                }
            }
        }
        return missing;
    }
}
