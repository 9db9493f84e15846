package chatmail.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [name]} section of an INI file with its entries in file order.
 *
 * @param line 1-based line number of the section header
 */
public record IniSection(String name, int line, List<IniEntry> entries) {
    public IniSection {
        Objects.requireNonNull(name, "name");
        entries = List.copyOf(entries);
    }

    /** The entry for a key, compared case-insensitively like configparser does. */
    public Optional<IniEntry> get(String key) {
        String wanted = key.toLowerCase(Locale.ROOT);
        return entries.stream().filter(e -> e.key().equals(wanted)).findFirst();
    }
}
