package chatmail.store.sqlite;

import chatmail.push.PushJob;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code chatmail move-to-postgresql} needs of a single relay's store beyond the
 * {@code MailStore} interface: rows that interface hands out only in part (a device token's time
 * of setting, login verifiers, the push queue's creation times) and the last UIDVALIDITY issued.
 * Only reads; the caller holds the data_dir lock, so nothing writes meanwhile.
 */
public final class SqliteMoveSource implements AutoCloseable {
    private final SqliteSideConnection connection;

    private SqliteMoveSource(SqliteSideConnection connection) {
        this.connection = connection;
    }

    public static SqliteMoveSource open(Path dataDir) {
        return new SqliteMoveSource(SqliteSideConnection.open(dataDir, "SQLite store being moved", "move-source",
                config -> { }));
    }

    /** A value of an account-wide metadata entry with when it was set and runs out. */
    public record MetadataValue(String entry, String value, Instant setAt, Optional<Instant> expiresAt) {
        @Override
        public String toString() {
            return "MetadataValue[" + entry + "]";
        }
    }

    /** A login verifier under one node's key. */
    public record Verifier(long keyId, byte[] verifier) {}

    /** A pending push notification with the time it was first queued. */
    public record QueuedPush(PushJob job, Instant createdAt) {}

    /** The highest UIDVALIDITY the store ever issued, 0 when none. */
    public long lastUidValidity() {
        return connection.call(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM store_counters WHERE name = 'uidvalidity'");
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** The account-wide metadata values of an account, least recently set first. */
    public List<MetadataValue> metadata(long accountId) {
        return connection.call(c -> {
            List<MetadataValue> values = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT name, value, updated_at, expires_at FROM metadata"
                    + " WHERE account_id = ? AND mailbox_id IS NULL ORDER BY updated_at, id")) {
                s.setLong(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long expires = rs.getLong(4);
                        Optional<Instant> expiresAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
                        values.add(new MetadataValue(rs.getString(1),
                                new String(rs.getBytes(2), java.nio.charset.StandardCharsets.UTF_8),
                                Instant.ofEpochMilli(rs.getLong(3)), expiresAt));
                    }
                }
            }
            return values;
        });
    }

    /** Metadata values attached to a mailbox, which this relay never writes: counted so a move can say so. */
    public long mailboxMetadataValues() {
        return connection.call(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM metadata WHERE mailbox_id IS NOT NULL");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    public List<Verifier> verifiers(long accountId) {
        return connection.call(c -> {
            List<Verifier> verifiers = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT key_id, verifier FROM login_verifiers WHERE account_id = ?"
                    + " ORDER BY key_id")) {
                s.setLong(1, accountId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        verifiers.add(new Verifier(rs.getLong(1), rs.getBytes(2)));
                    }
                }
            }
            return verifiers;
        });
    }

    /** Every pending push notification (a few per active device at most: held in memory). */
    public List<QueuedPush> pushQueue() {
        return connection.call(c -> {
            List<QueuedPush> jobs = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, account_id, token, attempts, first_attempt_at,"
                    + " next_attempt_at, generation, created_at FROM push_queue ORDER BY id");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long first = rs.getLong(5);
                    Optional<Instant> firstAttempt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first));
                    jobs.add(new QueuedPush(new PushJob(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                            firstAttempt, Instant.ofEpochMilli(rs.getLong(6)), rs.getLong(7)),
                            Instant.ofEpochMilli(rs.getLong(8))));
                }
            }
            return jobs;
        });
    }

    @Override
    public void close() {
        connection.close();
    }
}
