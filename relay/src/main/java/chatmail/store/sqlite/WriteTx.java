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
    private Boolean backupHolding;

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

    /**
     * A body file whose row this transaction deleted: unlinked after the commit, unless a backup
     * holds deletions (MIG-2); then it is listed for the backup to unlink when it is done.
     */
    void releaseBodyFile(Path file) throws SQLException {
        if (backupHolding == null) {
            backupHolding = BackupHolds.active(statements);
        }
        if (backupHolding) {
            BackupHolds.defer(statements, file.getFileName().toString());
        } else {
            filesToDelete.add(file);
        }
    }

    List<MailboxEvent> events() {
        return events;
    }

    List<Path> filesToDelete() {
        return filesToDelete;
    }
}
