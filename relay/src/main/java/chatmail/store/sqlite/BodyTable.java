package chatmail.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** SQL on the bodies table: shared message contents with a reference count. */
final class BodyTable {
    private BodyTable() {}

    /** Inserts a body referenced {@code references} times; exactly one of content and file is set. */
    static long insert(WriteTx tx, int references, long size, byte[] content, String file) throws SQLException {
        PreparedStatement statement =
                tx.statement("INSERT INTO bodies (refcount, size, content, file) VALUES (?, ?, ?, ?) RETURNING id");
        statement.setInt(1, references);
        statement.setLong(2, size);
        statement.setBytes(3, content);
        statement.setString(4, file);
        try (ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static void addReference(WriteTx tx, long bodyId) throws SQLException {
        PreparedStatement statement = tx.statement("UPDATE bodies SET refcount = refcount + 1 WHERE id = ?");
        statement.setLong(1, bodyId);
        statement.executeUpdate();
    }

    /** Drops references; the last one deletes the row, and its file once the deletion is committed. */
    static void release(WriteTx tx, BodyFiles files, long bodyId, long references) throws SQLException {
        PreparedStatement update =
                tx.statement("UPDATE bodies SET refcount = refcount - ? WHERE id = ? RETURNING refcount, file");
        update.setLong(1, references);
        update.setLong(2, bodyId);
        long remaining;
        String file;
        try (ResultSet rows = update.executeQuery()) {
            if (!rows.next()) {
                return;
            }
            remaining = rows.getLong(1);
            file = rows.getString(2);
        }
        if (remaining > 0) {
            return;
        }
        PreparedStatement delete = tx.statement("DELETE FROM bodies WHERE id = ?");
        delete.setLong(1, bodyId);
        delete.executeUpdate();
        if (file != null) {
            tx.releaseBodyFile(files.path(file));
        }
    }

    static boolean fileReferenced(StatementCache sql, String file) throws SQLException {
        PreparedStatement statement = sql.get("SELECT 1 FROM bodies WHERE file = ?");
        statement.setString(1, file);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next();
        }
    }
}
