package chatmail.backup;

import java.io.IOException;

/** An archive is not a backup this relay can restore (damaged, incomplete, newer format). */
public final class BackupFormatException extends IOException {
    public BackupFormatException(String message) {
        super(message);
    }
}
