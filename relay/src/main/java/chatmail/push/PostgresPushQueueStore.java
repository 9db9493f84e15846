package chatmail.push;

import chatmail.store.postgresql.PostgresDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * {@link PushQueueStore} in the shared PostgreSQL database (SCALE-2). Jobs of all nodes are in
 * one table; a node coalesces with a job another node queued (same account and token). Figures
 * are cluster-wide.
 *
 * <p>Several nodes' notifiers read the one queue, so {@link #due} claims what it returns (rows
 * locked with {@code FOR UPDATE SKIP LOCKED}, leased for {@link #LEASE}): a job is sent by one
 * node at a time, and a job of a node that died mid-try is due again when its lease runs out.
 * Recording the try's outcome ends the claim.
 */
public final class PostgresPushQueueStore implements PushQueueStore {
    /** Longer than one try (the notify client's time-outs), short enough that a dead node's jobs are late by little. */
    public static final java.time.Duration LEASE = java.time.Duration.ofMinutes(2);

    private final PostgresDatabase db;

    public PostgresPushQueueStore(PostgresDatabase db) {
        this.db = db;
    }

    /**
     * Queues a notification moved from another store with its retry state as it was there
     * ({@code chatmail move-to-postgresql}); unclaimed, so any node sends it when it is due.
     */
    public void importJob(long accountId, PushJob job, Instant createdAt) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO push_queue (account_id, token, attempts,"
                    + " first_attempt_at, next_attempt_at, created_at, generation) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, accountId);
                s.setString(2, job.token());
                s.setInt(3, job.attempts());
                if (job.firstAttemptAt().isPresent()) {
                    s.setLong(4, job.firstAttemptAt().get().toEpochMilli());
                } else {
                    s.setNull(4, java.sql.Types.BIGINT);
                }
                s.setLong(5, job.nextAttemptAt().toEpochMilli());
                s.setLong(6, createdAt.toEpochMilli());
                s.setLong(7, job.generation());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void add(long accountId, Collection<String> tokens, Instant now) {
        if (tokens.isEmpty()) {
            return;
        }
        // Sorted, so two nodes adding the same tokens lock the rows in the same order.
        List<String> sorted = tokens.stream().distinct().sorted().toList();
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO push_queue (account_id, token, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (account_id, token) DO UPDATE SET generation = push_queue.generation + 1, attempts = 0,
                        first_attempt_at = NULL, next_attempt_at = excluded.next_attempt_at""")) {
                for (String token : sorted) {
                    s.setLong(1, accountId);
                    s.setString(2, token);
                    s.setLong(3, now.toEpochMilli());
                    s.setLong(4, now.toEpochMilli());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<PushJob> due(Instant now, int limit) {
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE push_queue SET claimed_until = ? WHERE id IN (
                        SELECT id FROM push_queue WHERE next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                        ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING id, account_id, token, attempts, first_attempt_at, next_attempt_at, generation""")) {
                s.setLong(1, now.plus(LEASE).toEpochMilli());
                s.setLong(2, now.toEpochMilli());
                s.setLong(3, now.toEpochMilli());
                s.setInt(4, limit);
                List<PushJob> due = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long first = rs.getLong(5);
                        Optional<Instant> firstAttempt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first));
                        due.add(new PushJob(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), firstAttempt,
                                Instant.ofEpochMilli(rs.getLong(6)), rs.getLong(7)));
                    }
                }
                due.sort(java.util.Comparator.comparing(PushJob::nextAttemptAt).thenComparingLong(PushJob::id));
                return due;
            }
        });
    }

    @Override
    public Optional<Instant> nextDueAfter(Instant after) {
        return db.read(c -> {
            // A job claimed by a node that dies falls due when its lease runs out.
            try (PreparedStatement s = c.prepareStatement("SELECT min(greatest(next_attempt_at, coalesce(claimed_until, 0)))"
                    + " FROM push_queue WHERE greatest(next_attempt_at, coalesce(claimed_until, 0)) > ?")) {
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
        update("DELETE FROM push_queue WHERE id = ? AND generation = ?", job.id(), job.generation());
        // A delivery joined meanwhile: the job stays, due for the new message, and free for any node.
        update("UPDATE push_queue SET claimed_until = NULL WHERE id = ?", job.id());
    }

    @Override
    public void remove(PushJob job) {
        update("DELETE FROM push_queue WHERE id = ?", job.id());
    }

    @Override
    public void retryAt(PushJob job, int attempts, Instant firstAttemptAt, Instant next) {
        update("UPDATE push_queue SET attempts = ?, first_attempt_at = ?, next_attempt_at = ?, claimed_until = NULL"
                + " WHERE id = ? AND generation = ?",
                attempts, firstAttemptAt.toEpochMilli(), next.toEpochMilli(), job.id(), job.generation());
        update("UPDATE push_queue SET claimed_until = NULL WHERE id = ?", job.id());
    }

    private void update(String sql, long... values) {
        db.read(c -> {
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
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM push_queue")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<Instant> oldest() {
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(created_at) FROM push_queue")) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
            }
        });
    }

    /** The database belongs to the storage that opened it. */
    @Override
    public void close() {
    }
}
