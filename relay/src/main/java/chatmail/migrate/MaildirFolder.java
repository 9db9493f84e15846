package chatmail.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One Maildir of the reference tree read into what the import needs: the mailbox's UIDVALIDITY
 * and UIDNEXT and every message file with its UID and flags. Nothing here writes.
 *
 * <p>UIDs come from {@code dovecot-uidlist}. UIDNEXT is the highest of the uidlist's header,
 * its highest UID + 1 and the next UID Dovecot's index files record (when they agree on the
 * UIDVALIDITY), so a mailbox the client emptied keeps its counter. Files the uidlist does not
 * name get UIDs from UIDNEXT up, in the order of their names (which begin with the delivery
 * time), and UIDNEXT moves past them.
 *
 * @param name        the IMAP name: INBOX, or the Maildir++ folder name without its leading dot
 * @param uidValidity the old UIDVALIDITY, 0 when neither uidlist nor index records one
 * @param messages    every message file, in UID order
 * @param unlisted    how many of them had no line in the uidlist
 * @param problems    what was damaged (reported; the mailbox is imported as far as it could be read)
 */
public record MaildirFolder(String name, Path dir, long uidValidity, long uidNext, List<MessageFile> messages,
                            int unlisted, List<String> problems) {
    static final String UIDLIST = "dovecot-uidlist";
    static final String KEYWORDS = "dovecot-keywords";
    private static final long MAX_INDEX_FILE = 64L << 20;
    private static final long MAX_UIDLIST_FILE = 256L << 20;

    /** A message file and what its name and the uidlist say about it. */
    public record MessageFile(long uid, Path file, String flagLetters, java.util.Set<String> flags) {}

    public static MaildirFolder read(String name, Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        UidList uidList = readUidList(dir, problems);
        DovecotKeywords keywords = readKeywords(dir, problems);
        DovecotIndexLog index = readIndex(dir);

        Map<String, MaildirFileName> files = new HashMap<>();
        Map<String, Path> paths = new HashMap<>();
        // new/ first, so cur/ wins when a file is seen in both while Dovecot moved it.
        for (String sub : new String[] {"new", "cur"}) {
            Path subDir = dir.resolve(sub);
            if (!Files.isDirectory(subDir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(subDir)) {
                for (Path file : entries) {
                    String fileName = file.getFileName().toString();
                    if (fileName.startsWith(".") || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    MaildirFileName parsed;
                    try {
                        parsed = MaildirFileName.parse(fileName);
                    } catch (ReferenceFormatException e) {
                        problems.add(sub + "/" + printable(fileName) + ": " + e.getMessage());
                        continue;
                    }
                    files.put(parsed.baseName(), parsed);
                    paths.put(parsed.baseName(), file);
                }
            }
        }

        long validity = 0;
        long uidNext = 1;
        if (uidList != null) {
            validity = uidList.uidValidity();
            uidNext = uidList.uidNext();
            problems.addAll(uidList.lineProblems().stream().map(p -> UIDLIST + " " + p).toList());
        } else if (index.uidValidity().isPresent()) {
            validity = index.uidValidity().getAsLong();
        }
        OptionalLong indexNext = index.nextUid();
        boolean sameMailbox = index.uidValidity().isEmpty() || index.uidValidity().getAsLong() == validity;
        if (indexNext.isPresent() && sameMailbox && indexNext.getAsLong() <= UidList.MAX_UID + 1) {
            uidNext = Math.max(uidNext, indexNext.getAsLong());
        }

        Map<String, Long> listed = new LinkedHashMap<>();
        if (uidList != null) {
            for (UidList.Entry entry : uidList.entries()) {
                listed.putIfAbsent(entry.baseName(), entry.uid());
            }
        }
        List<MessageFile> messages = new ArrayList<>();
        List<String> withoutUid = new ArrayList<>();
        for (Map.Entry<String, MaildirFileName> f : files.entrySet()) {
            Long uid = listed.get(f.getKey());
            if (uid == null) {
                withoutUid.add(f.getKey());
            } else {
                messages.add(message(uid, paths.get(f.getKey()), f.getValue(), keywords));
            }
        }
        withoutUid.sort(Comparator.naturalOrder());
        for (String base : withoutUid) {
            if (uidNext > UidList.MAX_UID) {
                problems.add(printable(base) + ": no UID left for a file the uidlist does not name");
                continue;
            }
            messages.add(message(uidNext++, paths.get(base), files.get(base), keywords));
        }
        messages.sort(Comparator.comparingLong(MessageFile::uid));
        return new MaildirFolder(name, dir, validity, uidNext, messages, withoutUid.size(), problems);
    }

    private static MessageFile message(long uid, Path file, MaildirFileName name, DovecotKeywords keywords) {
        return new MessageFile(uid, file, name.flags(), MaildirFlags.toImap(name.flags(), keywords));
    }

    private static UidList readUidList(Path dir, List<String> problems) throws IOException {
        Path file = dir.resolve(UIDLIST);
        try {
            if (Files.size(file) > MAX_UIDLIST_FILE) {
                problems.add(UIDLIST + ": too large; UIDs assigned anew");
                return null;
            }
            return UidList.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException absent) {
            return null;
        } catch (java.nio.charset.MalformedInputException e) {
            problems.add(UIDLIST + ": not UTF-8; UIDs assigned anew");
            return null;
        } catch (ReferenceFormatException e) {
            problems.add(UIDLIST + ": " + e.getMessage() + "; UIDs assigned anew");
            return null;
        }
    }

    private static DovecotKeywords readKeywords(Path dir, List<String> problems) throws IOException {
        try {
            return DovecotKeywords.parse(Files.readString(dir.resolve(KEYWORDS), StandardCharsets.UTF_8));
        } catch (NoSuchFileException absent) {
            return DovecotKeywords.none();
        } catch (java.nio.charset.MalformedInputException e) {
            problems.add(KEYWORDS + ": not UTF-8; keywords left out");
            return DovecotKeywords.none();
        }
    }

    /** dovecot.index's header, then the rotated and the current transaction log. */
    private static DovecotIndexLog readIndex(Path dir) {
        DovecotIndexLog state = DovecotIndexLog.empty();
        Path index = dir.resolve("dovecot.index");
        if (Files.isRegularFile(index)) {
            try (InputStream in = Files.newInputStream(index)) {
                state = state.and(DovecotIndexLog.readIndex(in.readNBytes(256)));
            } catch (IOException unreadable) {
                // best effort: the uidlist alone still gives the counters
            }
        }
        for (String log : new String[] {"dovecot.index.log.2", "dovecot.index.log"}) {
            Path file = dir.resolve(log);
            try {
                if (Files.isRegularFile(file) && Files.size(file) <= MAX_INDEX_FILE) {
                    state = state.and(DovecotIndexLog.readLog(Files.readAllBytes(file)));
                }
            } catch (IOException unreadable) {
                // as above
            }
        }
        return state;
    }

    /** A file name as it may be shown in a report: no control characters. */
    static String printable(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 200));
        name.codePoints().limit(200).forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return b.toString();
    }
}
