package chatmail.cli;

import chatmail.config.ConfigException;
import chatmail.config.ConfigLoader;
import chatmail.config.ConfigLocator;
import chatmail.config.ConfigSource;
import chatmail.config.LoadedConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option shared by the commands that read chatmail.ini. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "chatmail.ini to use (default: $CHATMAIL_INI, else ./chatmail.ini, else dev mode)")
    Path file;

    ConfigSource source;

    /** Loads the configuration and prints its warnings; a bad one throws ConfigException. */
    LoadedConfig load() throws ConfigException {
        source = ConfigLocator.locate(file, System.getenv(), Path.of(""));
        LoadedConfig loaded = ConfigLoader.load(source);
        for (String w : loaded.warnings()) {
            System.err.println("chatmail: warning: " + w);
        }
        return loaded;
    }

    boolean devMode() {
        return source instanceof ConfigSource.Dev;
    }
}
