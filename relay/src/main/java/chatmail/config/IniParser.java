package chatmail.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads INI text with the rules of Python's {@code configparser} in its default (strict) mode,
 * which is what the reference relay's {@code chatmail.ini} is written for:
 * <ul>
 * <li>{@code [name]} starts a section; the name is what lies between the first {@code [} and the
 *     last {@code ]} of the line, taken as is (case-sensitive, not trimmed);</li>
 * <li>{@code key = value} or {@code key: value}, split at the first {@code =} or {@code :}; keys
 *     are trimmed and lower-cased, values trimmed, an empty value is allowed;</li>
 * <li>lines whose first non-blank character is {@code #} or {@code ;} are comments, also inside
 *     a multi-line value; there are no inline comments;</li>
 * <li>a line indented deeper than its key continues the value; blank lines inside a value are
 *     kept when a continuation follows, trailing ones dropped;</li>
 * <li>a key twice in one section, a section twice, an entry before any section, a line without
 *     a delimiter or an empty key are errors.</li>
 * </ul>
 * No {@code %} interpolation: values are taken literally. A leading byte order mark is skipped.
 * For any input the only exception thrown is {@link IniSyntaxException}.
 */
public final class IniParser {
    private IniParser() {}

    public static IniFile parse(String text) throws IniSyntaxException {
        if (text == null) throw new IniSyntaxException(1, "no text");
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        Map<String, SectionBuilder> sections = new LinkedHashMap<>();
        SectionBuilder section = null;
        EntryBuilder entry = null;
        int keyIndent = 0;
        int lineNumber = 0;
        for (String raw : text.split("\r\n|\r|\n", -1)) {
            lineNumber++;
            String line = strip(raw);
            boolean comment = line.startsWith("#") || line.startsWith(";");
            if (line.isEmpty() || comment) {
                if (!comment && entry != null) entry.lines.add("");
                continue;
            }
            int indent = indentOf(raw);
            if (entry != null && indent > keyIndent) {
                entry.lines.add(line);
                continue;
            }
            keyIndent = indent;
            int close = line.lastIndexOf(']');
            if (line.startsWith("[") && close > 1) {
                String name = line.substring(1, close);
                SectionBuilder earlier = sections.get(name);
                if (earlier != null) {
                    throw new IniSyntaxException(lineNumber, "section [" + name
                            + "] appears twice (first on line " + earlier.line + ")");
                }
                section = new SectionBuilder(name, lineNumber);
                sections.put(name, section);
                entry = null;
                continue;
            }
            if (section == null) {
                throw new IniSyntaxException(lineNumber,
                        "a section header such as [params] must come before any key");
            }
            int delimiter = firstDelimiter(line);
            if (delimiter < 0) {
                throw new IniSyntaxException(lineNumber, "expected 'key = value' or a [section]");
            }
            String key = strip(line.substring(0, delimiter)).toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                throw new IniSyntaxException(lineNumber, "a key is missing before '"
                        + line.charAt(delimiter) + "'");
            }
            EntryBuilder earlier = section.entries.get(key);
            if (earlier != null) {
                throw new IniSyntaxException(lineNumber, "key '" + key + "' appears twice in ["
                        + section.name + "] (first on line " + earlier.line + ")");
            }
            entry = new EntryBuilder(key, lineNumber);
            entry.lines.add(strip(line.substring(delimiter + 1)));
            section.entries.put(key, entry);
        }
        List<IniSection> result = new ArrayList<>(sections.size());
        for (SectionBuilder s : sections.values()) {
            List<IniEntry> entries = new ArrayList<>(s.entries.size());
            for (EntryBuilder e : s.entries.values()) entries.add(e.build());
            result.add(new IniSection(s.name, s.line, entries));
        }
        return new IniFile(result);
    }

    private static int firstDelimiter(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '=' || c == ':') return i;
        }
        return -1;
    }

    private static int indentOf(String raw) {
        int i = 0;
        while (i < raw.length() && Character.isWhitespace(raw.charAt(i))) i++;
        return i;
    }

    /** Trims with the same notion of white space as {@link #indentOf}, so the two agree. */
    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && Character.isWhitespace(s.charAt(start))) start++;
        while (end > start && Character.isWhitespace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    private static final class SectionBuilder {
        final String name;
        final int line;
        final Map<String, EntryBuilder> entries = new LinkedHashMap<>();

        SectionBuilder(String name, int line) {
            this.name = name;
            this.line = line;
        }
    }

    private static final class EntryBuilder {
        final String key;
        final int line;
        final List<String> lines = new ArrayList<>();

        EntryBuilder(String key, int line) {
            this.key = key;
            this.line = line;
        }

        IniEntry build() {
            int end = lines.size();
            while (end > 1 && lines.get(end - 1).isEmpty()) end--;
            return new IniEntry(key, String.join("\n", lines.subList(0, end)), line);
        }
    }
}
