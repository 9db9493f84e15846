package chatmail.cli;

import chatmail.backup.BackupWriter;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "backup", description = {
        "Write a consistent backup of this relay to FILE (a zip; SPEC MIG-2), also while it runs: a snapshot of",
        "the database, the message files it references, the DKIM, TLS, ACME and TURN keys, and a manifest with",
        "versions, counts and checksums. FILE must not exist yet."})
final class BackupCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Parameters(index = "0", paramLabel = "FILE", description = "The archive to write.")
    Path file;

    @Override
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = configOption.config(err);
        Optional<String> refusal = StorageBackend.fileBackupRefusal(config);
        if (refusal.isPresent()) {
            err.println("chatmail backup: " + refusal.get());
            return ExitCodes.FAILURE;
        }
        try {
            BackupWriter.Result result = new BackupWriter(config.dataDir(), config.mailDomain(), VersionCommand.version(),
                    Clock.systemUTC(), new BackupWriter.Listener() { }).write(file);
            var m = result.manifest();
            out.printf(Locale.ROOT, "chatmail backup: wrote %s (%d bytes): %d accounts, %d mailboxes, %d messages,"
                            + " %d message files, %d files in all%n", result.archive(), result.bytes(), m.count("accounts"),
                    m.count("mailboxes"), m.count("messages"), m.count("body_files"), m.files().size());
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("chatmail backup: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
