package chatmail.migrate;

import java.util.ArrayList;
import java.util.List;

/**
 * Dovecot's {@code dovecot-uidlist} of one Maildir: which UID each message file has. Version 3
 * (what Dovecot 2.x writes): a header {@code 3 V<uidvalidity> N<next uid> G<guid>} (more fields
 * may follow), then one line per message, {@code <uid> [<ext>…] :<file base name>}, in
 * ascending UID order. Version 1 ({@code 1 <uidvalidity> <next uid>}, lines
 * {@code <uid> <file name>}) is read too. Dovecot appends lines without rewriting the header, so
 * {@code N} may lag behind the lines: see {@link #uidNext()}.
 *
 * @param lineProblems lines that could not be read (their files then count as having no UID)
 */
public record UidList(int version, long uidValidity, long headerNextUid, List<Entry> entries, List<String> lineProblems) {
    static final long MAX_UID = 0xFFFF_FFFFL;
    private static final int MAX_LINE_PROBLEMS = 100;

    public UidList {
        entries = List.copyOf(entries);
        lineProblems = List.copyOf(lineProblems);
    }

    /** One message: its UID and the base name of its file (the name up to any {@code :2,} part). */
    public record Entry(long uid, String baseName) {}

    /** The next UID as far as this file knows: the header's, or above the highest line. */
    public long uidNext() {
        long highest = entries.isEmpty() ? 0 : entries.getLast().uid();
        return Math.max(headerNextUid, highest + 1);
    }

    /**
     * Reads the whole file. A broken header makes the file unusable (the exception); a broken line
     * is recorded in {@link #lineProblems()} and left out, as are lines whose UID does not
     * ascend.
     */
    public static UidList parse(String text) throws ReferenceFormatException {
        int end = text.indexOf('\n');
        String header = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 1);
        String[] fields = header.split(" ", -1);
        int version;
        long validity;
        long next;
        switch (fields[0]) {
            case "3" -> {
                Long v = null;
                Long n = null;
                for (int i = 1; i < fields.length; i++) {
                    String f = fields[i];
                    if (f.isEmpty()) {
                        throw new ReferenceFormatException("dovecot-uidlist header has an empty field");
                    }
                    switch (f.charAt(0)) {
                        case 'V' -> v = number(f.substring(1), "UIDVALIDITY");
                        case 'N' -> n = number(f.substring(1), "next UID");
                        default -> {
                            // G<guid> and fields of later versions: not needed here
                        }
                    }
                }
                if (v == null || n == null) {
                    throw new ReferenceFormatException("dovecot-uidlist header lacks V or N");
                }
                version = 3;
                validity = v;
                next = n;
            }
            case "1" -> {
                if (fields.length != 3) {
                    throw new ReferenceFormatException("dovecot-uidlist version 1 header needs three fields");
                }
                version = 1;
                validity = number(fields[1], "UIDVALIDITY");
                next = number(fields[2], "next UID");
            }
            default -> throw new ReferenceFormatException("dovecot-uidlist version is not 1 or 3");
        }
        if (validity < 1 || validity > MAX_UID) {
            throw new ReferenceFormatException("dovecot-uidlist UIDVALIDITY out of range");
        }
        if (next > MAX_UID + 1) {
            throw new ReferenceFormatException("dovecot-uidlist next UID out of range");
        }
        List<Entry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int lineNumber = 1;
        long last = 0;
        int from = 0;
        while (from < body.length()) {
            int lineEnd = body.indexOf('\n', from);
            String line = lineEnd < 0 ? body.substring(from) : body.substring(from, lineEnd);
            from = lineEnd < 0 ? body.length() : lineEnd + 1;
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                Entry entry = version == 3 ? lineV3(line) : lineV1(line);
                if (entry.uid() <= last) {
                    throw new ReferenceFormatException("UID does not ascend");
                }
                last = entry.uid();
                entries.add(entry);
            } catch (ReferenceFormatException e) {
                if (problems.size() < MAX_LINE_PROBLEMS) {
                    problems.add("line " + lineNumber + ": " + e.getMessage());
                }
            }
        }
        return new UidList(version, validity, next, entries, problems);
    }

    private static Entry lineV3(String line) throws ReferenceFormatException {
        int space = line.indexOf(' ');
        if (space <= 0) {
            throw new ReferenceFormatException("no file name");
        }
        long uid = uid(line.substring(0, space));
        // The extension fields carry no ':'; the file name is everything after the first " :".
        int colon = line.indexOf(" :", space - 1);
        if (colon < 0) {
            throw new ReferenceFormatException("no ':' before the file name");
        }
        return new Entry(uid, baseName(line.substring(colon + 2)));
    }

    private static Entry lineV1(String line) throws ReferenceFormatException {
        int space = line.indexOf(' ');
        if (space <= 0) {
            throw new ReferenceFormatException("no file name");
        }
        return new Entry(uid(line.substring(0, space)), baseName(line.substring(space + 1)));
    }

    private static String baseName(String fileName) throws ReferenceFormatException {
        String base = MaildirFileName.baseOf(fileName);
        if (!MaildirFileName.isPlausibleBase(base)) {
            throw new ReferenceFormatException("not a maildir file name");
        }
        return base;
    }

    private static long uid(String digits) throws ReferenceFormatException {
        long uid = number(digits, "UID");
        if (uid < 1 || uid > MAX_UID) {
            throw new ReferenceFormatException("UID out of range");
        }
        return uid;
    }

    private static long number(String digits, String what) throws ReferenceFormatException {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ReferenceFormatException(what + " is not a number");
        }
        return Long.parseLong(digits);
    }

    /** The file as Dovecot would write it (version 3), for the round-trip property of the fuzz test. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append("3 V").append(uidValidity).append(" N").append(headerNextUid).append('\n');
        for (Entry e : entries) {
            b.append(e.uid()).append(" :").append(e.baseName()).append('\n');
        }
        return b.toString();
    }
}
