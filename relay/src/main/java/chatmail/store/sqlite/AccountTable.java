package chatmail.store.sqlite;

import chatmail.store.Account;
import chatmail.store.LoginRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL on the accounts table. Days are stored as epoch days. */
final class AccountTable {
    private static final String COLUMNS = "id, address, password_hash, created_day, last_login_day";

    private AccountTable() {}

    static Optional<Account> find(StatementCache sql, String address) throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + COLUMNS + " FROM accounts WHERE address = ?");
        statement.setString(1, address);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(account(rows)) : Optional.empty();
        }
    }

    static Optional<LoginRecord> findLogin(StatementCache sql, String address, long verifierKeyId) throws SQLException {
        PreparedStatement statement = sql.get("SELECT a.id, a.address, a.password_hash, a.created_day, a.last_login_day,"
                + " v.verifier FROM accounts a LEFT JOIN login_verifiers v ON v.account_id = a.id AND v.key_id = ?"
                + " WHERE a.address = ?");
        statement.setLong(1, verifierKeyId);
        statement.setString(2, address);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(new LoginRecord(account(rows), rows.getBytes(6))) : Optional.empty();
        }
    }

    static void saveLoginVerifier(StatementCache sql, long accountId, long verifierKeyId, byte[] verifier)
            throws SQLException {
        // INSERT … SELECT: an account deleted meanwhile gets no row (and no foreign-key failure).
        PreparedStatement statement = sql.get("INSERT INTO login_verifiers (account_id, key_id, verifier)"
                + " SELECT id, ?, ? FROM accounts WHERE id = ?"
                + " ON CONFLICT (account_id, key_id) DO UPDATE SET verifier = excluded.verifier");
        statement.setLong(1, verifierKeyId);
        statement.setBytes(2, verifier);
        statement.setLong(3, accountId);
        statement.executeUpdate();
    }

    /** Inserts the account unless the address exists; returns the new id, or empty when it existed. */
    static Optional<Long> insertIfAbsent(StatementCache sql, String address, String passwordHash, LocalDate today)
            throws SQLException {
        PreparedStatement statement = sql.get("INSERT INTO accounts (address, password_hash, created_day, last_login_day)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (address) DO NOTHING RETURNING id");
        statement.setString(1, address);
        statement.setString(2, passwordHash);
        statement.setLong(3, today.toEpochDay());
        statement.setLong(4, today.toEpochDay());
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
        }
    }

    /** Moves the last login forward to {@code day}; an older day never overwrites a newer one. */
    static void recordLogin(StatementCache sql, long accountId, LocalDate day) throws SQLException {
        PreparedStatement statement =
                sql.get("UPDATE accounts SET last_login_day = ? WHERE id = ? AND last_login_day < ?");
        statement.setLong(1, day.toEpochDay());
        statement.setLong(2, accountId);
        statement.setLong(3, day.toEpochDay());
        statement.executeUpdate();
    }

    /**
     * In id order: one pass over the primary key in pages, whatever the days. Ordered by day,
     * SQLite would sort every inactive account again for each page.
     */
    static List<Account> lastLoginBefore(StatementCache sql, LocalDate day, long afterId, int limit)
            throws SQLException {
        PreparedStatement statement = sql.get("SELECT " + COLUMNS + " FROM accounts"
                + " WHERE id > ? AND last_login_day < ? ORDER BY id LIMIT ?");
        statement.setLong(1, afterId);
        statement.setLong(2, day.toEpochDay());
        statement.setInt(3, limit);
        List<Account> accounts = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                accounts.add(account(rows));
            }
        }
        return accounts;
    }

    static long count(StatementCache sql) throws SQLException {
        try (ResultSet rows = sql.get("SELECT count(*) FROM accounts").executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Deletes the account; mailboxes, messages, metadata and push entries go with it by
     * cascade. Bodies are shared by reference count, so they are released here first.
     */
    static boolean delete(WriteTx tx, BodyFiles files, long accountId) throws SQLException {
        PreparedStatement references =
                tx.statement("SELECT body_id, count(*) FROM messages WHERE account_id = ? GROUP BY body_id");
        references.setLong(1, accountId);
        List<long[]> released = new ArrayList<>();
        try (ResultSet rows = references.executeQuery()) {
            while (rows.next()) {
                released.add(new long[] {rows.getLong(1), rows.getLong(2)});
            }
        }
        for (long[] body : released) {
            BodyTable.release(tx, files, body[0], body[1]);
        }
        PreparedStatement delete = tx.statement("DELETE FROM accounts WHERE id = ?");
        delete.setLong(1, accountId);
        return delete.executeUpdate() > 0;
    }

    private static Account account(ResultSet rows) throws SQLException {
        return new Account(rows.getLong(1), rows.getString(2), rows.getString(3),
                LocalDate.ofEpochDay(rows.getLong(4)), LocalDate.ofEpochDay(rows.getLong(5)));
    }
}
