package chatmail.store.sqlite;

import java.io.IOException;
import java.sql.SQLException;

/** A piece of database work run on one of the store's platform threads. */
@FunctionalInterface
interface SqlWork<C, T> {
    T run(C context) throws SQLException, IOException;
}
