package chatmail.store.postgresql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.UUID;

/**
 * Once-only jobs across nodes (SCALE-2): a node takes a job's lease before running it; while
 * the lease lasts no other node gets it, and the holder may renew it. A node that dies keeps it
 * only until it runs out.
 */
public final class Leases {
    private final PostgresDatabase db;
    private final String holder = UUID.randomUUID().toString();

    public Leases(PostgresDatabase db) {
        this.db = db;
    }

    /** Takes or renews the lease of {@code job} until {@code until}; false when another node holds it at {@code now}. */
    public boolean tryTake(String job, Instant now, Instant until) {
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
                    WHERE leases.until <= ? OR leases.holder = excluded.holder
                    RETURNING holder""")) {
                s.setString(1, job);
                s.setString(2, holder);
                s.setLong(3, until.toEpochMilli());
                s.setLong(4, now.toEpochMilli());
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Gives the lease of {@code job} up when this node holds it, so any node may take it at once. */
    public void release(String job) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE leases SET until = 0 WHERE name = ? AND holder = ?")) {
                s.setString(1, job);
                s.setString(2, holder);
                return s.executeUpdate();
            }
        });
    }
}
