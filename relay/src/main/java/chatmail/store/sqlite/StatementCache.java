package chatmail.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection and its prepared statements, each prepared once and reused; SQL text is the
 * key. Used by exactly one thread, so no locking.
 */
class StatementCache implements TableStatements, AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    StatementCache(Connection connection) {
        this.connection = connection;
    }

    PreparedStatement get(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        statement.clearParameters();
        return statement;
    }

    @Override
    public PreparedStatement prepare(String sql) throws SQLException {
        return get(sql);
    }

    /** Runs a statement that returns nothing (BEGIN, COMMIT, SAVEPOINT ...). */
    void execute(String sql) throws SQLException {
        get(sql).execute();
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement statement : statements.values()) {
            statement.close();
        }
        statements.clear();
        connection.close();
    }
}
