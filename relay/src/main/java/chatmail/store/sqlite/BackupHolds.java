package chatmail.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's side of a backup hold (MIG-2, V4 migration): while a live row in
 * {@code backup_holds} exists, released body files are listed, not unlinked. Times are the wall
 * clock's, since the holder is another process.
 */
final class BackupHolds {
    private BackupHolds() {}

    static boolean active(StatementCache sql) throws SQLException {
        PreparedStatement select = sql.get("SELECT 1 FROM backup_holds WHERE expires_at > ? LIMIT 1");
        select.setLong(1, System.currentTimeMillis());
        try (ResultSet rows = select.executeQuery()) {
            return rows.next();
        }
    }

    static void defer(StatementCache sql, String file) throws SQLException {
        PreparedStatement insert = sql.get("INSERT OR IGNORE INTO deferred_body_deletions (file) VALUES (?)");
        insert.setString(1, file);
        insert.executeUpdate();
    }

    static boolean deferred(StatementCache sql, String file) throws SQLException {
        PreparedStatement select = sql.get("SELECT 1 FROM deferred_body_deletions WHERE file = ?");
        select.setString(1, file);
        try (ResultSet rows = select.executeQuery()) {
            return rows.next();
        }
    }

    /**
     * At start-up with no live hold: forgets the list (start-up removes unreferenced files anyway)
     * and expired holds. Returns how many deferred files there were.
     */
    static int clearWhenNotHeld(StatementCache sql) throws SQLException {
        if (active(sql)) {
            return 0;
        }
        List<Integer> counts = new ArrayList<>();
        try (ResultSet rows = sql.get("SELECT count(*) FROM deferred_body_deletions").executeQuery()) {
            rows.next();
            counts.add(rows.getInt(1));
        }
        sql.execute("DELETE FROM deferred_body_deletions");
        sql.execute("DELETE FROM backup_holds");
        return counts.getFirst();
    }
}
