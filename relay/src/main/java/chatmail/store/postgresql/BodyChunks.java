package chatmail.store.postgresql;

import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Message bodies in PostgreSQL as rows of {@code body_chunks} (docs/decisions.md, "Bodies in
 * PostgreSQL"): the body is read from its spool file or stream a chunk at a time, so a large
 * message never sits in memory whole on the way in; copies share one body by reference count.
 */
final class BodyChunks {
    /** Large enough that a 30 MB message is 120 rows, small enough to bound a node's buffer. */
    static final int CHUNK = 256 * 1024;

    private BodyChunks() {}

    /** Inserts the body with {@code references} references; returns its id. */
    static long insert(Connection c, MessageBody body, int references) throws SQLException, IOException {
        long id;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO bodies (refcount, size) VALUES (?, ?) RETURNING id")) {
            s.setInt(1, references);
            s.setLong(2, body.size());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (InputStream in = body.openStream();
                PreparedStatement s = c.prepareStatement("INSERT INTO body_chunks (body_id, seq, data) VALUES (?, ?, ?)")) {
            long remaining = body.size();
            int seq = 0;
            do {
                byte[] chunk = in.readNBytes((int) Math.min(CHUNK, remaining));
                if (chunk.length < Math.min(CHUNK, remaining)) {
                    throw new IOException("message body shorter than its size");
                }
                s.setLong(1, id);
                s.setInt(2, seq++);
                s.setBytes(3, chunk);
                s.executeUpdate();
                remaining -= chunk.length;
            } while (remaining > 0);
        }
        return id;
    }

    static byte[] read(Connection c, long bodyId, long size) throws SQLException {
        byte[] content = new byte[Math.toIntExact(size)];
        int at = 0;
        try (PreparedStatement s = c.prepareStatement("SELECT data FROM body_chunks WHERE body_id = ? ORDER BY seq")) {
            s.setLong(1, bodyId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    byte[] chunk = rs.getBytes(1);
                    System.arraycopy(chunk, 0, content, at, chunk.length);
                    at += chunk.length;
                }
            }
        }
        if (at != content.length) {
            // Gone between the message's row and its chunks: an expunge on another connection
            // won the race, and the message is gone as if it had come first.
            throw new chatmail.store.StoreException("no such message");
        }
        return content;
    }

    static void addReference(Connection c, long bodyId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE bodies SET refcount = refcount + 1 WHERE id = ?")) {
            s.setLong(1, bodyId);
            s.executeUpdate();
        }
    }

    /** Drops {@code references} references; the body and its chunks go with the last. */
    static void release(Connection c, long bodyId, long references) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE bodies SET refcount = refcount - ? WHERE id = ? RETURNING refcount")) {
            s.setLong(1, references);
            s.setLong(2, bodyId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next() || rs.getLong(1) > 0) {
                    return;
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM bodies WHERE id = ?")) {
            s.setLong(1, bodyId);
            s.executeUpdate();
        }
    }
}
