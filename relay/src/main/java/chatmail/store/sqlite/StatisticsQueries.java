package chatmail.store.sqlite;

import chatmail.store.StoreStatistics;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;

/**
 * The figures behind {@link StoreStatistics}, read often (each metrics scrape) and so without a
 * pass over messages or bodies: the account counts come from the index on the last login day,
 * the totals from the counters V12's triggers keep.
 */
final class StatisticsQueries {
    private StatisticsQueries() {}

    static StoreStatistics of(StatementCache sql, LocalDate today) throws SQLException {
        long day = today.toEpochDay();
        PreparedStatement read = sql.get("""
                SELECT (SELECT count(*) FROM accounts),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT count(*) FROM accounts WHERE last_login_day >= ?),
                       (SELECT value FROM store_counters WHERE name = 'stored_messages'),
                       (SELECT value FROM store_counters WHERE name = 'stored_body_bytes')""");
        read.setLong(1, day);
        read.setLong(2, day - 6);
        read.setLong(3, day - 29);
        try (ResultSet rs = read.executeQuery()) {
            rs.next();
            return new StoreStatistics(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    rs.getLong(6));
        }
    }
}
