package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.storage.MoveToPostgres;
import chatmail.store.DataDirLock;
import chatmail.store.StoreException;
import chatmail.store.sqlite.SqliteSideConnection;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "move-to-postgresql", description = {
        "Move a single relay's state from data_dir into the PostgreSQL database that postgresql_url names (SCALE-1):",
        "accounts, mailboxes and messages with their UIDVALIDITY, UIDs and MODSEQs, device tokens, both queues, the",
        "ACME account and certificate, the TURN secret and the account-creation switch. Stop the relay first; set",
        "postgresql_url (and postgresql_password_file) in chatmail.ini with storage = sqlite still, run this, then set",
        "storage = postgresql and start the nodes. data_dir is only read. The database must be empty; a move that",
        "stopped before its end is started over by running it again."})
final class MoveToPostgresqlCommand implements Callable<Integer> {
    private static final String NAME = "chatmail move-to-postgresql: ";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Option(names = "--jobs", defaultValue = "8", paramLabel = "N",
            description = "Accounts moved at once (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--progress-seconds", defaultValue = "10", paramLabel = "S",
            description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
    int progressSeconds;

    @Override
    @SuppressWarnings("try") // the data_dir lock is held for the block, not used in it
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = configOption.config(err);
        if (jobs < 1 || progressSeconds < 1) {
            err.println(NAME + "--jobs and --progress-seconds must be at least 1");
            return ExitCodes.CONFIG_ERROR;
        }
        if (config.storage().postgresqlUrl() == null) {
            err.println(NAME + "set postgresql_url (and postgresql_password_file) in " + configName()
                    + " to the database to move into, with storage = sqlite until the move is done");
            return ExitCodes.CONFIG_ERROR;
        }
        if (!Files.exists(config.dataDir().resolve(SqliteSideConnection.FILE_NAME))) {
            err.println(NAME + "no SQLite store in " + config.dataDir() + " (" + SqliteSideConnection.FILE_NAME
                    + " is missing): nothing to move");
            return ExitCodes.FAILURE;
        }
        try (DataDirLock lock = DataDirLock.acquire(config.dataDir(), "move")) {
            new MoveToPostgres(config, Clock.systemUTC(), jobs, Duration.ofSeconds(progressSeconds)).run(out);
            out.println("move-to-postgresql: now set storage = postgresql in " + configName() + " and start the nodes");
            return ExitCodes.OK;
        } catch (MoveToPostgres.RefusedException | DataDirLock.HeldException e) {
            err.println(NAME + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (IOException | UncheckedIOException e) {
            err.println(NAME + e.getMessage() + "; the move is unfinished: run it again to start it over");
            return ExitCodes.FAILURE;
        } catch (StoreException | IllegalStateException e) {
            err.println(NAME + e.getMessage() + "; the move is unfinished: data_dir is unchanged, run it again to start"
                    + " it over");
            return ExitCodes.FAILURE;
        }
    }

    private String configName() {
        return configOption.file == null ? "chatmail.ini" : configOption.file.toString();
    }
}
