package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.expiry.Expiry;
import chatmail.store.DataDirLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "expire", description = "Delete old mail and inactive accounts now (SPEC EXP-1).")
final class ExpireCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Option(names = "--dry-run", description = "Only print what would be deleted.")
    boolean dryRun;

    @Override
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = configOption.config(err);
        Clock clock = Clock.systemUTC();
        // Not beside a running relay, not even a dry run: opening the embedded store removes body
        // files no row refers to, and a running relay has such files between writing a body and
        // committing its row. The relay expires by itself at start-up and daily.
        try (DataDirLock lock = DataDirLock.acquire(config.dataDir(), "expire");
             var store = StorageBackend.open(config, clock)) {
            out.println(new Expiry(config, store, clock).run(dryRun));
        } catch (IOException e) {
            err.println("chatmail expire: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}
