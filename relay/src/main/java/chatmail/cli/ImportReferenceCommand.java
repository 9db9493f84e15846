package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.migrate.ImportReport;
import chatmail.migrate.KeyImport;
import chatmail.migrate.ReferenceImport;
import chatmail.spool.BodySpool;
import chatmail.store.DataDirLock;
import chatmail.store.MailStore;
import chatmail.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "import-reference", description = {
        "Import a reference chatmail relay (Postfix + Dovecot) from its files (SPEC MIG-1): accounts with",
        "their passwords, push device tokens, and every mailbox with its UIDVALIDITY, UIDs, UIDNEXT, flags and",
        "messages. Stop the reference relay's Dovecot and this relay first. The source is only read; running",
        "it again imports only what is new. Exit code 1 when some item was damaged or skipped (listed)."})
final class ImportReferenceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Option(names = "--mailboxes", required = true, paramLabel = "DIR",
            description = "The reference relay's mailboxes directory (mailboxes_dir, e.g. /home/vmail/mail/<domain>).")
    Path mailboxes;

    @Option(names = "--dkim-key", paramLabel = "FILE",
            description = "Its DKIM key, e.g. /etc/dkimkeys/opendkim.private; installed for dkim_selector.")
    Path dkimKey;

    @Option(names = "--certificate", paramLabel = "FULLCHAIN",
            description = "Its certificate chain, e.g. /var/lib/acme/live/<domain>/fullchain (with --key).")
    Path certificate;

    @Option(names = "--key", paramLabel = "KEY", description = "The certificate's key, e.g. /var/lib/acme/live/<domain>/privkey.")
    Path certificateKey;

    @Option(names = "--dry-run", description = "Read and check everything, print the counts, write nothing.")
    boolean dryRun;

    @Option(names = "--jobs", defaultValue = "8", paramLabel = "N",
            description = "Accounts imported at once (default ${DEFAULT-VALUE}).")
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
        if ((certificate == null) != (certificateKey == null)) {
            err.println("chatmail import-reference: --certificate and --key go together");
            return ExitCodes.CONFIG_ERROR;
        }
        if (jobs < 1 || progressSeconds < 1) {
            err.println("chatmail import-reference: --jobs and --progress-seconds must be at least 1");
            return ExitCodes.CONFIG_ERROR;
        }
        Clock clock = Clock.systemUTC();
        Duration progress = Duration.ofSeconds(progressSeconds);
        if (dryRun) {
            try {
                importKeys(config, out);
                return ReferenceImport.dryRun(config, clock, jobs, progress).run(mailboxes, out).complete()
                        ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (IOException e) {
                err.println("chatmail import-reference: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
        try (DataDirLock lock = DataDirLock.acquire(config.dataDir(), "import")) {
            importKeys(config, out);
            ImportReport report;
            try (MailStore store = StorageBackend.open(config, clock)) {
                BodySpool spool = BodySpool.open(config.dataDir());
                report = ReferenceImport.into(config, store, spool, clock, jobs, progress).run(mailboxes, out);
            }
            return report.complete() ? ExitCodes.OK : ExitCodes.FAILURE;
        } catch (DataDirLock.HeldException e) {
            err.println("chatmail import-reference: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (IOException e) {
            err.println("chatmail import-reference: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (StoreException e) {
            err.println("chatmail import-reference: this relay's store failed (" + e.getMessage()
                    + "); nothing was lost, run the import again to continue");
            return ExitCodes.FAILURE;
        }
    }

    private void importKeys(Config config, PrintWriter out) throws IOException {
        if (dkimKey != null) {
            KeyImport.dkim(dkimKey, config.dataDir(), config.dkimSelector(), dryRun, out);
        }
        if (certificate != null) {
            KeyImport.certificate(certificate, certificateKey, config.dataDir(), dryRun, out);
        }
    }
}
