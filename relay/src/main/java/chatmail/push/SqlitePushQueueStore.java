package chatmail.push;

import chatmail.store.sqlite.SqliteSideConnection;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * {@link PushQueueStore} in the relay's SQLite database ({@code <data_dir>/chatmail.sqlite}, the
 * mail store's file; schema in {@code V3__push.sql}). One connection on one platform thread:
 * sqlite-jdbc is JNI and would pin the virtual threads that call in.
 *
 * <p>{@code synchronous=NORMAL}: in WAL mode a commit then survives a crash of the process but
 * not necessarily a power cut, and costs no fsync. A job is added on every local delivery, and an
 * fsync there would double the delivery's latency for something whose loss only delays a wake-up
 * (the message itself is durable, and the device fetches it on its next connection anyway). The
 * mail store's next commit, which does fsync the shared WAL, makes the job durable too.
 */
public final class SqlitePushQueueStore implements PushQueueStore {

    public static final String FILE_NAME = SqliteSideConnection.FILE_NAME;

    // Every statement, named so a test can check each one's query plan (PushQueuePlanTest).
    static final String ADD = """
            INSERT INTO push_queue (account_id, token, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (account_id, token) DO UPDATE SET generation = generation + 1, attempts = 0,
                first_attempt_at = NULL, next_attempt_at = excluded.next_attempt_at""";
    static final String DUE = """
            SELECT id, account_id, token, attempts, first_attempt_at, next_attempt_at, generation
            FROM push_queue WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?""";
    static final String NEXT_DUE_AFTER = "SELECT min(next_attempt_at) FROM push_queue WHERE next_attempt_at > ?";
    static final String FINISH = "DELETE FROM push_queue WHERE id = ? AND generation = ?";
    static final String REMOVE = "DELETE FROM push_queue WHERE id = ?";
    static final String RETRY_AT =
            "UPDATE push_queue SET attempts = ?, first_attempt_at = ?, next_attempt_at = ? WHERE id = ? AND generation = ?";
    static final String SIZE = "SELECT count(*) FROM push_queue";

    private final SqliteSideConnection db;

    private SqlitePushQueueStore(SqliteSideConnection db) {
        this.db = db;
    }

    public static SqlitePushQueueStore open(Path dataDir) {
        return new SqlitePushQueueStore(SqliteSideConnection.open(dataDir, "push queue", "push-queue-db", config -> {
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            // A deferred transaction that reads first cannot wait for the lock it later needs.
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }));
    }

    @Override
    public void add(long accountId, Collection<String> tokens, Instant now) {
        if (tokens.isEmpty()) {
            return;
        }
        db.call(c -> SqliteSideConnection.transaction(c, tx -> {
            try (PreparedStatement s = tx.prepareStatement(ADD)) {
                for (String token : tokens) {
                    s.setLong(1, accountId);
                    s.setString(2, token);
                    s.setLong(3, now.toEpochMilli());
                    s.setLong(4, now.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        }));
    }

    @Override
    public List<PushJob> due(Instant now, int limit) {
        return db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(DUE)) {
                s.setLong(1, now.toEpochMilli());
                s.setInt(2, limit);
                List<PushJob> due = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long first = rs.getLong(5);
                        Optional<Instant> firstAttempt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first));
                        due.add(new PushJob(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), firstAttempt,
                                Instant.ofEpochMilli(rs.getLong(6)), rs.getLong(7)));
                    }
                }
                return due;
            }
        });
    }

    @Override
    public Optional<Instant> nextDueAfter(Instant after) {
        return db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(NEXT_DUE_AFTER)) {
                s.setLong(1, after.toEpochMilli());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    long value = rs.getLong(1);
                    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
                }
            }
        });
    }

    @Override
    public void finish(PushJob job) {
        update(FINISH, job.id(), job.generation());
    }

    @Override
    public void remove(PushJob job) {
        update(REMOVE, job.id());
    }

    @Override
    public void retryAt(PushJob job, int attempts, Instant firstAttemptAt, Instant next) {
        update(RETRY_AT, attempts, firstAttemptAt.toEpochMilli(), next.toEpochMilli(), job.id(), job.generation());
    }

    private void update(String sql, long... values) {
        db.call(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    s.setLong(i + 1, values[i]);
                }
                return s.executeUpdate();
            }
        });
    }

    @Override
    public long size() {
        return db.call(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SIZE)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
