package chatmail.cli;

import chatmail.config.Config;
import chatmail.store.MailStore;
import java.time.Clock;
import java.util.Optional;

/**
 * The one place where commands that work on stored data learn which backend the config selects
 * (SCALE-1): import-reference writes through the store interface and runs on any; backup and
 * restore copy the embedded store's files and refuse on another.
 */
final class StorageBackend {
    private StorageBackend() {}

    static MailStore open(Config config, Clock clock) {
        return chatmail.storage.Storage.openMailStore(config, clock);
    }

    /**
     * Why backup and restore cannot run with this config, or empty when they can: with
     * {@code storage = postgresql} the state is in the database, which pg_dump backs up.
     */
    static Optional<String> fileBackupRefusal(Config config) {
        if (config.storage().kind() == chatmail.config.StorageSettings.Kind.POSTGRESQL) {
            return Optional.of("storage = postgresql keeps the relay's state in PostgreSQL: back it up with pg_dump"
                    + " and restore it with pg_restore (docs/scale-out.md); data_dir holds only per-node files");
        }
        return Optional.empty();
    }
}
