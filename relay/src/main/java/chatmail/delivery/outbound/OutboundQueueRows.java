package chatmail.delivery.outbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What both queue backends read alike: entries in the column order of their SELECT_ENTRIES, and
 * the summary. The SQL stays with each backend; the same tables have the same shape in both.
 */
final class OutboundQueueRows {
    /** Shared by both backends: the same statement in SQLite and PostgreSQL. */
    static final String SUMMARY = """
            SELECT count(*), min(m.created_at)
            FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id""";
    static final String BY_DESTINATION =
            "SELECT domain, count(*) AS n FROM outbound_recipients GROUP BY domain ORDER BY n DESC, domain LIMIT ?";

    private OutboundQueueRows() {}

    static List<QueuedRecipient> select(Connection c, String sql, long... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setLong(i + 1, parameters[i]);
            }
            List<QueuedRecipient> entries = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    entries.add(new QueuedRecipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)),
                            Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9), rs.getString(10)));
                }
            }
            return entries;
        }
    }

    static QueueSummary summary(Connection c, int maxDestinations) throws SQLException {
        long recipients;
        Optional<Instant> oldest;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SUMMARY)) {
            rs.next();
            recipients = rs.getLong(1);
            long first = rs.getLong(2);
            oldest = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first));
        }
        Map<String, Long> byDestination = new LinkedHashMap<>();
        if (maxDestinations > 0) {
            try (PreparedStatement s = c.prepareStatement(BY_DESTINATION)) {
                s.setInt(1, maxDestinations);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        byDestination.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return new QueueSummary(recipients, oldest, byDestination);
    }
}
