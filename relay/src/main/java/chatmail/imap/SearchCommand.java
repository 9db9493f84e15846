package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.SearchKey;
import chatmail.imap.protocol.SequenceSet;
import chatmail.mime.HeaderSection;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * SEARCH and UID SEARCH (RFC 3501 6.4.4, MODSEQ of RFC 7162). Flags, sizes, dates and UIDs come
 * from the mailbox snapshot; a message's content is read only for header and text criteria.
 * String matching is case-insensitive substring matching on the raw (undecoded) text.
 */
final class SearchCommand {
    private SearchCommand() {}

    static Result run(ImapSession s, ImapCommand.Search search) throws IOException {
        String charset = search.charset();
        if (charset != null && !charset.equalsIgnoreCase("UTF-8") && !charset.equalsIgnoreCase("US-ASCII")) {
            return Result.no("[BADCHARSET (US-ASCII UTF-8)] Unsupported charset.");
        }
        boolean modseqKey = uses(search.criteria(), SearchKey.ModSeq.class);
        if (modseqKey) {
            s.enableCondstore();
        }
        SelectedMailbox view = s.selected();
        MailboxSnapshot snapshot = s.store().snapshot(view.mailboxId());
        StringBuilder line = new StringBuilder("SEARCH");
        long highestModseq = 0;
        Map<SequenceSet, SequenceSet.Resolved> resolved = new IdentityHashMap<>();
        for (int seq = 1; seq <= view.exists(); seq++) {
            long uid = view.uid(seq);
            MessageInfo info = MessageSets.find(snapshot, uid);
            if (info == null) {
                continue;
            }
            Candidate candidate = new Candidate(s, view, seq, info, resolved);
            if (candidate.matches(search.criteria(), 0)) {
                line.append(' ').append(search.uid() ? uid : seq);
                highestModseq = Math.max(highestModseq, info.modseq());
            }
        }
        if (modseqKey && highestModseq > 0) {
            line.append(" (MODSEQ ").append(highestModseq).append(')');
        }
        s.out().untagged(line.toString());
        return Result.ok("Search completed.");
    }

    private static boolean uses(SearchKey key, Class<? extends SearchKey> type) {
        return switch (key) {
            case SearchKey.And and -> and.keys().stream().anyMatch(k -> uses(k, type));
            case SearchKey.Or or -> uses(or.left(), type) || uses(or.right(), type);
            case SearchKey.Not not -> uses(not.key(), type);
            default -> type.isInstance(key);
        };
    }

    /** One message under test; its content is loaded on first need. */
    private static final class Candidate {
        private final ImapSession session;
        private final SelectedMailbox view;
        private final int seq;
        private final MessageInfo info;
        /** SEC-4: each set of the criteria resolved once per SEARCH, not once per message. */
        private final Map<SequenceSet, SequenceSet.Resolved> resolved;
        private byte[] content;
        private HeaderSection header;
        private int headerEnd = -1;

        Candidate(ImapSession session, SelectedMailbox view, int seq, MessageInfo info,
                Map<SequenceSet, SequenceSet.Resolved> resolved) {
            this.resolved = resolved;
            this.session = session;
            this.view = view;
            this.seq = seq;
            this.info = info;
        }

        boolean matches(SearchKey key, int depth) {
            return switch (key) {
                case SearchKey.All a -> true;
                case SearchKey.Flag f -> hasFlag(f.flag()) == f.set();
                case SearchKey.Recent r -> !r.recent();
                case SearchKey.Uid u -> resolved.computeIfAbsent(u.set(), set -> set.resolve(view.highestUid()))
                        .contains(info.uid());
                case SearchKey.Sequence q -> resolved.computeIfAbsent(q.set(), set -> set.resolve(view.exists()))
                        .contains(seq);
                case SearchKey.Size z -> z.larger() ? info.size() > z.size() : info.size() < z.size();
                case SearchKey.ModSeq m -> info.modseq() >= m.modseq();
                case SearchKey.Date d -> date(d);
                case SearchKey.Header h -> header(h.field(), h.value());
                case SearchKey.Text t -> text(t.includeHeader(), t.value());
                case SearchKey.Not n -> !matches(n.key(), depth + 1);
                case SearchKey.Or o -> matches(o.left(), depth + 1) || matches(o.right(), depth + 1);
                case SearchKey.And a -> a.keys().stream().allMatch(k -> matches(k, depth + 1));
            };
        }

        private boolean hasFlag(String flag) {
            return info.flags().stream().anyMatch(flag::equalsIgnoreCase);
        }

        private boolean date(SearchKey.Date d) {
            LocalDate date;
            if (d.sent()) {
                String value = headerValue("Date");
                if (value == null) {
                    return false;
                }
                try {
                    date = ZonedDateTime.parse(value.replaceAll("\\s*\\(.*\\)$", ""),
                            DateTimeFormatter.RFC_1123_DATE_TIME).toLocalDate();
                } catch (DateTimeParseException e) {
                    return false;
                }
            } else {
                date = LocalDate.ofInstant(info.internalDate(), ZoneOffset.UTC);
            }
            return switch (d.comparison()) {
                case BEFORE -> date.isBefore(d.date());
                case ON -> date.isEqual(d.date());
                case SINCE -> !date.isBefore(d.date());
            };
        }

        private boolean header(String field, String value) {
            if (!load()) {
                return false;
            }
            String needle = value.toLowerCase(Locale.ROOT);
            for (HeaderSection.Field f : header.fields()) {
                if (f.is(field) && header.value(f).toLowerCase(Locale.ROOT).contains(needle)) {
                    return true;
                }
            }
            return false;
        }

        private String headerValue(String field) {
            return load() ? header.first(field) : null;
        }

        private boolean text(boolean includeHeader, String value) {
            if (!load()) {
                return false;
            }
            int from = includeHeader ? 0 : headerEnd;
            String haystack = new String(content, from, content.length - from, StandardCharsets.UTF_8);
            return haystack.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
        }

        private boolean load() {
            if (content == null) {
                try {
                    content = session.store().content(view.mailboxId(), info.uid());
                } catch (IOException | StoreException e) {
                    return false;
                }
                header = HeaderSection.parse(content);
                headerEnd = header.bodyStart();
            }
            return true;
        }
    }
}
