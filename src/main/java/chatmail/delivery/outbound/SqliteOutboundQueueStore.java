package chatmail.delivery.outbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import chatmail.store.StoreException;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;

/**
 * {@link OutboundQueueStore} in the relay's SQLite database ({@code <data_dir>/chatmail.sqlite},
 * the mail store's file; schema in {@code V2__outbound_queue.sql}). One connection on one
 * platform thread: sqlite-jdbc is JNI and would pin the virtual threads that call in, and queue
 * writes are few (one per outgoing message and attempt), so a second writer beside the mail
 * store's is cheap; SQLite's busy timeout orders the two. {@code synchronous=FULL} makes every
 * commit wait for the fsync of the WAL.
 */
public final class SqliteOutboundQueueStore implements OutboundQueueStore {

    public static final String FILE_NAME = "chatmail.sqlite";

    private final ExecutorService thread;
    private final Connection connection;

    private SqliteOutboundQueueStore(ExecutorService thread, Connection connection) {
        this.thread = thread;
        this.connection = connection;
    }

    public static SqliteOutboundQueueStore open(Path dataDir) {
        String url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("outbound-queue-db").factory());
        try {
            Files.createDirectories(dataDir);
            String tmp = System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"));
            if (tmp != null && !tmp.isEmpty()) {
                Files.createDirectories(Path.of(tmp)); // sqlite-jdbc unpacks its native library there
            }
            Connection connection = thread.submit(() -> {
                Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
                SQLiteConfig config = new SQLiteConfig();
                config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
                config.enforceForeignKeys(true);
                config.setBusyTimeout(30_000);
                Connection c = config.createConnection(url);
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                }
                return c;
            }).get();
            return new SqliteOutboundQueueStore(thread, connection);
        } catch (IOException e) {
            thread.shutdown();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            thread.shutdown();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the outbound queue", e);
        } catch (ExecutionException e) {
            thread.shutdown();
            throw new IllegalStateException("cannot open the outbound queue: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T onThread(Work<T> work) {
        Future<T> future = thread.submit(() -> work.run(connection));
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while using the outbound queue", e);
        } catch (ExecutionException e) {
            // StoreException, as the mail store's failures: the SMTP session answers 451 4.3.0 to it.
            throw new StoreException("outbound queue: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static <T> T transaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    @Override
    public long add(String sender, List<String> recipients, byte[] message, Instant now) {
        return onThread(c -> transaction(c, tx -> {
            long id;
            try (PreparedStatement s = tx.prepareStatement(
                    "INSERT INTO outbound_messages (sender, content, created_at) VALUES (?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                s.setString(1, sender);
                s.setBytes(2, message);
                s.setLong(3, now.toEpochMilli());
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement s = tx.prepareStatement(
                    "INSERT INTO outbound_recipients (message_id, recipient, domain, next_attempt_at) VALUES (?, ?, ?, ?)")) {
                for (String recipient : recipients) {
                    s.setLong(1, id);
                    s.setString(2, recipient);
                    s.setString(3, domainOf(recipient));
                    s.setLong(4, now.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return id;
        }));
    }

    static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public List<QueuedRecipient> due(Instant now, int limit) {
        return onThread(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT r.id, r.message_id, m.sender, r.recipient, r.domain, r.attempts, m.created_at,
                           r.next_attempt_at, r.last_error
                    FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id
                    WHERE r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?""")) {
                s.setLong(1, now.toEpochMilli());
                s.setInt(2, limit);
                List<QueuedRecipient> due = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        due.add(new QueuedRecipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)),
                                Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9)));
                    }
                }
                return due;
            }
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return onThread(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT min(next_attempt_at) FROM outbound_recipients")) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    @Override
    public byte[] message(long messageId) {
        return onThread(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT content FROM outbound_messages WHERE id = ?")) {
                s.setLong(1, messageId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("no queued message " + messageId);
                    }
                    return rs.getBytes(1);
                }
            }
        });
    }

    @Override
    public void remove(List<Long> recipientIds) {
        if (recipientIds.isEmpty()) {
            return;
        }
        onThread(c -> transaction(c, tx -> {
            try (PreparedStatement s = tx.prepareStatement("DELETE FROM outbound_recipients WHERE id = ?")) {
                for (long id : recipientIds) {
                    s.setLong(1, id);
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (Statement s = tx.createStatement()) {
                s.executeUpdate("DELETE FROM outbound_messages WHERE NOT EXISTS "
                        + "(SELECT 1 FROM outbound_recipients r WHERE r.message_id = outbound_messages.id)");
            }
            return null;
        }));
    }

    @Override
    public void retryAt(long recipientId, int attempts, Instant next, String lastError) {
        onThread(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE outbound_recipients SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?")) {
                s.setInt(1, attempts);
                s.setLong(2, next.toEpochMilli());
                s.setString(3, lastError);
                s.setLong(4, recipientId);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public long size() {
        return onThread(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM outbound_recipients")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        try {
            onThread(c -> {
                c.close();
                return null;
            });
        } finally {
            thread.shutdown();
        }
    }
}
