package chatmail.push;

import chatmail.store.sqlite.SqliteMailStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * {@link PushQueueStore} in the relay's SQLite database ({@code <data_dir>/chatmail.sqlite}; schema
 * in {@code V3__push.sql}), run on the mail store's own threads: writes join the store writer's
 * group commits, reads go to its readers. A connection of its own (as before) competed with the
 * store's writer for SQLite's write lock, and SQLite waits for that lock by sleeping: at 230 msg/s
 * with push on that put hundreds of milliseconds into deliveries and seconds into notifications
 * (docs/benchmarks.md, bench bigday).
 */
public final class SqlitePushQueueStore implements PushQueueStore {

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
    static final String OLDEST = "SELECT min(created_at) FROM push_queue";

    private final SqliteMailStore db;

    private SqlitePushQueueStore(SqliteMailStore db) {
        this.db = db;
    }

    /** The queue in {@code store}'s database; the store stays the caller's to close. */
    public static SqlitePushQueueStore on(SqliteMailStore store) {
        return new SqlitePushQueueStore(store);
    }

    @Override
    public void add(long accountId, Collection<String> tokens, Instant now) {
        if (tokens.isEmpty()) {
            return;
        }
        db.writeTables(sql -> {
            PreparedStatement s = sql.prepare(ADD);
            for (String token : tokens) {
                s.setLong(1, accountId);
                s.setString(2, token);
                s.setLong(3, now.toEpochMilli());
                s.setLong(4, now.toEpochMilli());
                s.addBatch();
            }
            s.executeBatch();
            return null;
        });
    }

    @Override
    public List<PushJob> due(Instant now, int limit) {
        return db.readTables(sql -> {
            PreparedStatement s = sql.prepare(DUE);
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
        });
    }

    @Override
    public Optional<Instant> nextDueAfter(Instant after) {
        return db.readTables(sql -> {
            PreparedStatement s = sql.prepare(NEXT_DUE_AFTER);
            s.setLong(1, after.toEpochMilli());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
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

    private void update(String statement, long... values) {
        db.writeTables(sql -> {
            PreparedStatement s = sql.prepare(statement);
            for (int i = 0; i < values.length; i++) {
                s.setLong(i + 1, values[i]);
            }
            return s.executeUpdate();
        });
    }

    @Override
    public long size() {
        return db.readTables(sql -> {
            try (ResultSet rs = sql.prepare(SIZE).executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<Instant> oldest() {
        return db.readTables(sql -> {
            try (ResultSet rs = sql.prepare(OLDEST).executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    /** Nothing of its own to close: the queue lives in the mail store's database and threads. */
    @Override
    public void close() {
    }
}
