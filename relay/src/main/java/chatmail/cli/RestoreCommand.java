package chatmail.cli;

import chatmail.backup.BackupRestore;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "restore", description = {
        "Restore a backup made by `chatmail backup` into data_dir, which must be empty or absent (SPEC MIG-2),",
        "with no relay running on it. Every file is checked against the backup's manifest."})
final class RestoreCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Parameters(index = "0", paramLabel = "FILE", description = "The archive to restore.")
    Path file;

    @Override
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = configOption.config(err);
        Optional<String> refusal = StorageBackend.fileBackupRefusal(config);
        if (refusal.isPresent()) {
            err.println("chatmail restore: " + refusal.get());
            return ExitCodes.FAILURE;
        }
        try {
            BackupRestore.Result result = BackupRestore.restore(file, config.dataDir());
            var m = result.manifest();
            if (!m.mailDomain().equalsIgnoreCase(config.mailDomain())) {
                err.println("chatmail restore: warning: the backup is of " + m.mailDomain() + ", chatmail.ini says "
                        + config.mailDomain());
            }
            out.printf(Locale.ROOT, "chatmail restore: restored %d accounts, %d mailboxes, %d messages and %d files"
                            + " (%d bytes) into %s, as backed up at %s by chatmail %s%n", m.count("accounts"),
                    m.count("mailboxes"), m.count("messages"), result.files(), result.bytes(), config.dataDir(),
                    m.created(), m.relayVersion());
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("chatmail restore: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
