package chatmail.store.sqlite;

import chatmail.store.StoreStatistics;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;

/** The counts behind {@link StoreStatistics}: three aggregate queries, no per-account rows. */
final class StatisticsQueries {
    private StatisticsQueries() {}

    static StoreStatistics of(StatementCache sql, LocalDate today) throws SQLException {
        long day = today.toEpochDay();
        PreparedStatement accounts = sql.get("""
                SELECT count(*), coalesce(sum(last_login_day >= ?), 0), coalesce(sum(last_login_day >= ?), 0),
                       coalesce(sum(last_login_day >= ?), 0)
                FROM accounts""");
        accounts.setLong(1, day);
        accounts.setLong(2, day - 6);
        accounts.setLong(3, day - 29);
        long total;
        long todayCount;
        long week;
        long month;
        try (ResultSet rs = accounts.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
            todayCount = rs.getLong(2);
            week = rs.getLong(3);
            month = rs.getLong(4);
        }
        long messages;
        try (ResultSet rs = sql.get("SELECT count(*) FROM messages").executeQuery()) {
            rs.next();
            messages = rs.getLong(1);
        }
        long bytes;
        try (ResultSet rs = sql.get("SELECT coalesce(sum(size), 0) FROM bodies").executeQuery()) {
            rs.next();
            bytes = rs.getLong(1);
        }
        return new StoreStatistics(total, todayCount, week, month, messages, bytes);
    }
}
