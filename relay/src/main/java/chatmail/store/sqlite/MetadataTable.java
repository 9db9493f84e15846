package chatmail.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL on the metadata table for account-wide entries (mailbox_id NULL) that hold several
 * values, each with its own expiry: the push device tokens of IMAP METADATA.
 */
final class MetadataTable {
    private MetadataTable() {}

    static void addValue(WriteTx tx, long accountId, String entry, String value, Instant now, Instant expiresAt,
                         int maxValues) throws SQLException {
        PreparedStatement expired = tx.statement("DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ? AND expires_at IS NOT NULL AND expires_at <= ?");
        expired.setLong(1, accountId);
        expired.setString(2, entry);
        expired.setLong(3, now.toEpochMilli());
        expired.executeUpdate();

        PreparedStatement renew = tx.statement("UPDATE metadata SET updated_at = ?, expires_at = ?"
                + " WHERE account_id = ? AND mailbox_id IS NULL AND name = ? AND value = ?");
        renew.setLong(1, now.toEpochMilli());
        renew.setLong(2, expiresAt.toEpochMilli());
        renew.setLong(3, accountId);
        renew.setString(4, entry);
        renew.setBytes(5, bytes(value));
        if (renew.executeUpdate() == 0) {
            PreparedStatement insert = tx.statement("INSERT INTO metadata"
                    + " (account_id, mailbox_id, name, value, updated_at, expires_at) VALUES (?, NULL, ?, ?, ?, ?)");
            insert.setLong(1, accountId);
            insert.setString(2, entry);
            insert.setBytes(3, bytes(value));
            insert.setLong(4, now.toEpochMilli());
            insert.setLong(5, expiresAt.toEpochMilli());
            insert.executeUpdate();
        }

        PreparedStatement evict = tx.statement("DELETE FROM metadata WHERE id IN (SELECT id FROM metadata"
                + " WHERE account_id = ? AND mailbox_id IS NULL AND name = ?"
                + " ORDER BY updated_at DESC, id DESC LIMIT -1 OFFSET ?)");
        evict.setLong(1, accountId);
        evict.setString(2, entry);
        evict.setInt(3, maxValues);
        evict.executeUpdate();
    }

    static List<String> values(StatementCache sql, long accountId, String entry, Instant now) throws SQLException {
        PreparedStatement select = sql.get("SELECT value FROM metadata WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY updated_at, id");
        select.setLong(1, accountId);
        select.setString(2, entry);
        select.setLong(3, now.toEpochMilli());
        List<String> values = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                values.add(new String(rows.getBytes(1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    static void removeValue(WriteTx tx, long accountId, String entry, String value) throws SQLException {
        PreparedStatement delete = tx.statement("DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ? AND value = ?");
        delete.setLong(1, accountId);
        delete.setString(2, entry);
        delete.setBytes(3, bytes(value));
        delete.executeUpdate();
    }

    static void clear(WriteTx tx, long accountId, String entry) throws SQLException {
        PreparedStatement delete = tx.statement("DELETE FROM metadata WHERE account_id = ? AND mailbox_id IS NULL"
                + " AND name = ?");
        delete.setLong(1, accountId);
        delete.setString(2, entry);
        delete.executeUpdate();
    }

    /** Account-wide values of {@code entry} expired at {@code now}, over all accounts. */
    static int countExpired(StatementCache sql, String entry, Instant now) throws SQLException {
        PreparedStatement count = sql.get("SELECT count(*) FROM metadata WHERE mailbox_id IS NULL AND name = ?"
                + " AND expires_at IS NOT NULL AND expires_at <= ?");
        count.setString(1, entry);
        count.setLong(2, now.toEpochMilli());
        try (ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    static int deleteExpired(WriteTx tx, String entry, Instant now, int limit) throws SQLException {
        PreparedStatement delete = tx.statement("DELETE FROM metadata WHERE id IN (SELECT id FROM metadata"
                + " WHERE mailbox_id IS NULL AND name = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)");
        delete.setString(1, entry);
        delete.setLong(2, now.toEpochMilli());
        delete.setInt(3, limit);
        return delete.executeUpdate();
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
