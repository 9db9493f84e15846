package chatmail.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Chooses the configuration file (SPEC CFG-2): {@code --config FILE}, else {@code $CHATMAIL_INI},
 * else {@code chatmail.ini} in the working directory, else dev mode. A file that was named but
 * does not exist is an error rather than a silent fall-back to dev mode.
 */
public final class ConfigLocator {
    public static final String ENV_VAR = "CHATMAIL_INI";
    public static final String DEFAULT_FILE = "chatmail.ini";

    private ConfigLocator() {}

    /**
     * @param option the {@code --config} value, or null
     * @param env the process environment ({@code System.getenv()}); injectable for tests
     * @param workingDir against which relative paths are resolved
     */
    public static ConfigSource locate(Path option, Map<String, String> env, Path workingDir)
            throws ConfigException {
        Path cwd = workingDir.toAbsolutePath();
        if (option != null) return named(cwd.resolve(option), "--config");
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path path;
            try {
                path = cwd.resolve(fromEnv.strip());
            } catch (java.nio.file.InvalidPathException bad) {
                throw new ConfigException("$" + ENV_VAR + " is not a valid path: " + fromEnv);
            }
            return named(path, "$" + ENV_VAR);
        }
        Path usual = cwd.resolve(DEFAULT_FILE);
        if (Files.exists(usual)) return new ConfigSource.File(usual, "default");
        return new ConfigSource.Dev(cwd);
    }

    private static ConfigSource named(Path path, String namedBy) throws ConfigException {
        if (!Files.exists(path)) {
            throw new ConfigException("configuration file " + path + " (given by " + namedBy
                    + ") does not exist; create one with: chatmail init <domain> --config " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("configuration file " + path + " (given by " + namedBy
                    + ") is not a regular file");
        }
        return new ConfigSource.File(path, namedBy);
    }
}
