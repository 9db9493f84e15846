package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.expiry.Expiry;
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
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config;
        try {
            config = configOption.load(err).config();
        } catch (ConfigException e) {
            err.println("chatmail: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        Clock clock = Clock.systemUTC();
        try (var store = StorageBackend.open(config, clock)) {
            out.println(new Expiry(config, store, clock).run(dryRun));
        }
        return ExitCodes.OK;
    }
}
