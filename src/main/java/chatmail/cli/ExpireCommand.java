package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.expiry.Expiry;
import chatmail.store.sqlite.SqliteMailStore;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "expire", description = "Delete old mail and inactive accounts now (SPEC EXP-1).")
final class ExpireCommand implements Callable<Integer> {

    @Mixin
    ConfigOption configOption;

    @Option(names = "--dry-run", description = "Only print what would be deleted.")
    boolean dryRun;

    @Override
    public Integer call() {
        Config config;
        try {
            config = configOption.load().config();
        } catch (ConfigException e) {
            System.err.println("chatmail: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        try (var store = SqliteMailStore.open(config.dataDir(), Clock.systemUTC())) {
            System.out.println(new Expiry(config, store, Clock.systemUTC()).run(dryRun));
        }
        return ExitCodes.OK;
    }
}
