package chatmail.config;

import java.util.List;
import java.util.Objects;

/**
 * A configuration ready to use plus the warnings found while reading it (unknown keys, keys
 * that no longer have an effect). The caller decides where to report the warnings.
 */
public record LoadedConfig(Config config, List<String> warnings) {
    public LoadedConfig {
        Objects.requireNonNull(config, "config");
        warnings = List.copyOf(warnings);
    }
}
