package chatmail.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the configuration comes from, as decided by {@link ConfigLocator}. */
public sealed interface ConfigSource {

    /**
     * An INI file.
     *
     * @param namedBy how it was chosen: {@code --config}, {@code $CHATMAIL_INI} or the default
     */
    record File(Path path, String namedBy) implements ConfigSource {
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(namedBy, "namedBy");
        }
    }

    /** No file anywhere: run a local development relay ({@link DevConfig}). */
    record Dev(Path workingDir) implements ConfigSource {
        public Dev {
            Objects.requireNonNull(workingDir, "workingDir");
        }
    }
}
