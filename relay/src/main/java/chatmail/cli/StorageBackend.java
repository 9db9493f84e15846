package chatmail.cli;

import chatmail.config.Config;
import chatmail.store.MailStore;
import chatmail.store.sqlite.SqliteMailStore;
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
        return SqliteMailStore.open(config.dataDir(), clock);
    }

    /**
     * Why backup and restore cannot run with this config, or empty when they can. Only the
     * embedded store exists yet; with {@code storage = postgresql} this answers "use pg_dump".
     */
    static Optional<String> fileBackupRefusal(Config config) {
        return Optional.empty();
    }
}
