package chatmail.config;

import java.util.Objects;

/**
 * One {@code key = value} of an INI section. The key is lower-cased; the value is trimmed and
 * continuation lines are joined with {@code \n}, as Python's configparser does.
 *
 * @param line 1-based line number of the key, for messages that point the operator at it
 */
public record IniEntry(String key, String value, int line) {
    public IniEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
