package chatmail.config;

import java.util.List;
import java.util.Optional;

/** A parsed INI file: its sections in file order. Section names are case-sensitive. */
public record IniFile(List<IniSection> sections) {
    public IniFile {
        sections = List.copyOf(sections);
    }

    public Optional<IniSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * Writes this structure back as INI text that {@link IniParser} reads to an equal structure
     * (apart from line numbers): multi-line values become indented continuation lines.
     */
    public String toText() {
        StringBuilder out = new StringBuilder();
        for (IniSection section : sections) {
            out.append('[').append(section.name()).append("]\n");
            for (IniEntry entry : section.entries()) {
                String[] lines = entry.value().split("\n", -1);
                out.append(entry.key()).append(" =");
                if (!lines[0].isEmpty()) out.append(' ').append(lines[0]);
                out.append('\n');
                for (int i = 1; i < lines.length; i++) {
                    // A blank line inside a value is kept by the parser when a continuation follows.
                    if (!lines[i].isEmpty()) out.append('\t').append(lines[i]);
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }
}
