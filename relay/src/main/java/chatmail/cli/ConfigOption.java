package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.config.ConfigLoader;
import chatmail.config.ConfigLocator;
import chatmail.config.ConfigSource;
import chatmail.config.LoadedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option shared by the commands that read chatmail.ini. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "chatmail.ini to use (default: $CHATMAIL_INI, else ./chatmail.ini, else dev mode)")
    Path file;

    ConfigSource source;

    /**
     * Finds and loads the configuration and prints its warnings to {@code err}. A missing named
     * file or a bad value throws ConfigException, which every command maps to exit code 2.
     */
    LoadedConfig load(PrintWriter err) throws ConfigException {
        source = ConfigLocator.locate(file, System.getenv(), Path.of(""));
        LoadedConfig loaded = ConfigLoader.load(source);
        for (String w : loaded.warnings()) {
            err.println("chatmail: warning: " + w);
        }
        return loaded;
    }

    /**
     * The configuration. A ConfigException ends the command: Main prints why and exits with
     * {@link ExitCodes#CONFIG_ERROR}, the same for every command.
     */
    Config config(PrintWriter err) throws ConfigException {
        return load(err).config();
    }

    boolean devMode() {
        return source instanceof ConfigSource.Dev;
    }
}
