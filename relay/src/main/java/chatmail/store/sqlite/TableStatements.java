package chatmail.store.sqlite;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Statements of a connection of the store, for a component that keeps its own tables in the
 * store's database file (the push queue): each SQL text is prepared once per connection and
 * reused, so callers must not close what they get.
 */
public interface TableStatements {

    /** The prepared statement for {@code sql}, its parameters cleared. */
    PreparedStatement prepare(String sql) throws SQLException;
}
