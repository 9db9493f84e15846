package chatmail.store.sqlite;

import chatmail.store.MailboxEvents.MailboxEvent;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one write request sees inside the writer's transaction: the statements, and the
 * things that may only happen once the transaction is committed (events, file deletions).
 */
final class WriteTx {
    private final StatementCache statements;
    private final List<MailboxEvent> events = new ArrayList<>();
    private final List<Path> filesToDelete = new ArrayList<>();

    WriteTx(StatementCache statements) {
        this.statements = statements;
    }

    PreparedStatement statement(String sql) throws SQLException {
        return statements.get(sql);
    }

    StatementCache sql() {
        return statements;
    }

    void publishAfterCommit(MailboxEvent event) {
        events.add(event);
    }

    void deleteAfterCommit(Path file) {
        filesToDelete.add(file);
    }

    List<MailboxEvent> events() {
        return events;
    }

    List<Path> filesToDelete() {
        return filesToDelete;
    }
}
