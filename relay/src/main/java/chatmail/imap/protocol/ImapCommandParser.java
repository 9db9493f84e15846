package chatmail.imap.protocol;

import chatmail.imap.protocol.ImapCommand.StoreMode;
import chatmail.store.MessageBody;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses one complete IMAP command (tag, name, arguments; literals inline as the client sent
 * them, without the final CRLF) into an {@link ImapRequest}. Pure and total: any input gives a
 * request or an {@link ImapParseException}, nothing else (fuzzed by ImapCommandParserFuzzTest).
 * Whether a command is allowed in the session's state is the session's business.
 */
public final class ImapCommandParser {
    /** Nesting limit for SEARCH parentheses, NOT and OR, so no input can exhaust the stack. */
    private static final int MAX_SEARCH_DEPTH = 32;
    private static final int MAX_LIST_ITEMS = 1000;

    private ImapCommandParser() {}

    public static ImapRequest parse(byte[] command) throws ImapParseException {
        return parse(new ArgumentCursor(command));
    }

    /** A command as {@link ImapReader} read it, with its spooled APPEND literal if any. */
    public static ImapRequest parse(ImapReader.Command command) throws ImapParseException {
        return parse(new ArgumentCursor(command.bytes(), command.literalOffset(), command.literal()));
    }

    private static ImapRequest parse(ArgumentCursor c) throws ImapParseException {
        c.tag = c.tag();
        c.sp();
        String name = c.atom().toUpperCase(Locale.ROOT);
        if (name.length() > 32) {
            throw new ImapParseException(c.tag, null, "Unknown command");
        }
        c.command = name;
        boolean uid = false;
        if (name.equals("UID")) {
            c.sp();
            String sub = c.atom().toUpperCase(Locale.ROOT);
            if (!List.of("FETCH", "STORE", "SEARCH", "COPY", "MOVE", "EXPUNGE").contains(sub)) {
                c.command = "UID";
                throw c.error("Unknown UID command");
            }
            uid = true;
            name = sub;
            c.command = "UID " + sub;
        }
        ImapCommand parsed = switch (name) {
            case "CAPABILITY" -> new ImapCommand.Capability();
            case "NOOP" -> new ImapCommand.Noop();
            case "LOGOUT" -> new ImapCommand.Logout();
            case "STARTTLS" -> new ImapCommand.StartTls();
            case "NAMESPACE" -> new ImapCommand.Namespace();
            case "IDLE" -> new ImapCommand.Idle();
            case "CHECK" -> new ImapCommand.Check();
            case "CLOSE" -> new ImapCommand.Close();
            case "UNSELECT" -> new ImapCommand.Unselect();
            case "ID" -> id(c);
            case "LOGIN" -> login(c);
            case "AUTHENTICATE" -> authenticate(c);
            case "ENABLE" -> enable(c);
            case "SELECT", "EXAMINE" -> select(c, name.equals("EXAMINE"));
            case "CREATE" -> new ImapCommand.Create(mailboxArgument(c));
            case "DELETE" -> new ImapCommand.Delete(mailboxArgument(c));
            case "RENAME" -> rename(c);
            case "SUBSCRIBE" -> new ImapCommand.Subscribe(mailboxArgument(c), true);
            case "UNSUBSCRIBE" -> new ImapCommand.Subscribe(mailboxArgument(c), false);
            case "LIST", "LSUB" -> list(c, name.equals("LSUB"));
            case "STATUS" -> status(c);
            case "APPEND" -> append(c);
            case "GETQUOTAROOT" -> new ImapCommand.GetQuotaRoot(mailboxArgument(c));
            case "GETQUOTA" -> new ImapCommand.GetQuota(mailboxArgument(c));
            case "SETQUOTA" -> setQuota(c);
            case "GETMETADATA" -> getMetadata(c);
            case "SETMETADATA" -> setMetadata(c);
            case "COMPRESS" -> compress(c);
            case "EXPUNGE" -> uid ? uidExpunge(c) : new ImapCommand.Expunge(null);
            case "SEARCH" -> search(c, uid);
            case "FETCH" -> fetch(c, uid);
            case "STORE" -> store(c, uid);
            case "COPY", "MOVE" -> copy(c, uid, name.equals("MOVE"));
            default -> throw c.error("Unknown command");
        };
        c.expectEnd();
        return new ImapRequest(c.tag, parsed);
    }

    private static String mailboxArgument(ArgumentCursor c) throws ImapParseException {
        c.sp();
        return c.astring();
    }

    private static ImapCommand id(ArgumentCursor c) throws ImapParseException {
        c.sp();
        if (c.acceptWord("NIL")) {
            return new ImapCommand.Id(null);
        }
        c.expect('(', "Expected NIL or a list of field/value pairs");
        List<String> pairs = new ArrayList<>();
        if (!c.accept(')')) {
            do {
                pairs.add(c.string());
                c.sp();
                pairs.add(c.nstring());
                if (pairs.size() > 60) {
                    throw c.error("Too many ID fields");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid ID list");
        }
        return new ImapCommand.Id(pairs);
    }

    private static ImapCommand login(ArgumentCursor c) throws ImapParseException {
        c.sp();
        String user = c.astring();
        c.sp();
        String password = c.astring();
        return new ImapCommand.Login(user, password);
    }

    private static ImapCommand authenticate(ArgumentCursor c) throws ImapParseException {
        c.sp();
        String mechanism = c.atom().toUpperCase(Locale.ROOT);
        String initial = null;
        if (c.acceptSp()) {
            initial = c.accept('=') ? "=" : base64(c);
        }
        return new ImapCommand.Authenticate(mechanism, initial);
    }

    private static String base64(ArgumentCursor c) throws ImapParseException {
        String s = c.atom();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(Character.isLetterOrDigit(ch) || ch == '+' || ch == '/' || ch == '=')) {
                throw c.error("Invalid base64");
            }
        }
        return s;
    }

    private static ImapCommand enable(ArgumentCursor c) throws ImapParseException {
        List<String> capabilities = new ArrayList<>();
        do {
            c.sp();
            capabilities.add(c.atom().toUpperCase(Locale.ROOT));
            if (capabilities.size() > MAX_LIST_ITEMS) {
                throw c.error("Too many capabilities");
            }
        } while (!c.atEnd());
        return new ImapCommand.Enable(capabilities);
    }

    private static ImapCommand select(ArgumentCursor c, boolean readOnly) throws ImapParseException {
        String mailbox = mailboxArgument(c);
        boolean condstore = false;
        if (c.acceptSp()) {
            for (String parameter : c.atomList()) {
                if (!parameter.equals("CONDSTORE")) {
                    throw c.error("Unknown SELECT parameter");
                }
                condstore = true;
            }
        }
        return new ImapCommand.Select(mailbox, readOnly, condstore);
    }

    private static ImapCommand rename(ArgumentCursor c) throws ImapParseException {
        String from = mailboxArgument(c);
        String to = mailboxArgument(c);
        return new ImapCommand.Rename(from, to);
    }

    /** LIST [(select-opts)] reference (pattern | (patterns)) [RETURN (return-opts)]. */
    private static ImapCommand list(ArgumentCursor c, boolean lsub) throws ImapParseException {
        c.sp();
        List<String> selectOptions = List.of();
        if (!lsub && c.peek() == '(') {
            selectOptions = c.atomList();
            c.sp();
        }
        String reference = c.astring();
        c.sp();
        List<String> patterns = new ArrayList<>();
        if (!lsub && c.accept('(')) {
            do {
                patterns.add(listPattern(c));
                if (patterns.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many patterns");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid pattern list");
        } else {
            patterns.add(listPattern(c));
        }
        List<String> returnOptions = List.of();
        if (!lsub && c.acceptSp()) {
            if (!c.acceptWord("RETURN")) {
                throw c.error("Expected RETURN");
            }
            c.sp();
            returnOptions = c.atomList();
        }
        return new ImapCommand.ListMailboxes(lsub, reference, patterns, selectOptions, returnOptions);
    }

    /** list-mailbox: an astring that may also hold the wildcards {@code %} and {@code *}. */
    private static String listPattern(ArgumentCursor c) throws ImapParseException {
        int ch = c.peek();
        if (ch == '"' || ch == '{') {
            return c.string();
        }
        StringBuilder sb = new StringBuilder();
        while (!c.atEnd() && (Wire.isAstringChar(c.peek()) || c.peek() == '%' || c.peek() == '*')) {
            sb.append((char) c.peek());
            c.accept((char) c.peek());
        }
        if (sb.isEmpty()) {
            throw c.error("Expected a mailbox pattern");
        }
        return sb.toString();
    }

    private static ImapCommand status(ArgumentCursor c) throws ImapParseException {
        String mailbox = mailboxArgument(c);
        c.sp();
        List<String> items = c.atomList();
        if (items.isEmpty()) {
            throw c.error("Missing STATUS items");
        }
        return new ImapCommand.Status(mailbox, items);
    }

    private static ImapCommand append(ArgumentCursor c) throws ImapParseException {
        String mailbox = mailboxArgument(c);
        c.sp();
        List<String> flags = List.of();
        if (c.peek() == '(') {
            flags = c.flagList();
            c.sp();
        }
        OffsetDateTime date = null;
        if (c.peek() == '"') {
            date = c.dateTime();
            c.sp();
        }
        if (c.peek() != '{') {
            throw c.error("Expected the message as a literal");
        }
        MessageBody message = c.messageLiteral();
        return new ImapCommand.Append(mailbox, flags, date, message);
    }

    private static ImapCommand setQuota(ArgumentCursor c) throws ImapParseException {
        String root = mailboxArgument(c);
        c.sp();
        c.expect('(', "Expected a resource list");
        List<String> limits = new ArrayList<>();
        if (!c.accept(')')) {
            do {
                limits.add(c.atom().toUpperCase(Locale.ROOT));
                c.sp();
                limits.add(Long.toString(c.number64()));
                if (limits.size() > 64) {
                    throw c.error("Too many resources");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid resource list");
        }
        return new ImapCommand.SetQuota(root, limits);
    }

    /** GETMETADATA [(MAXSIZE n DEPTH d)] mailbox (entry | (entries)). */
    private static ImapCommand getMetadata(ArgumentCursor c) throws ImapParseException {
        c.sp();
        long maxSize = -1;
        String depth = "0";
        if (c.accept('(')) {
            do {
                String option = c.atom().toUpperCase(Locale.ROOT);
                c.sp();
                switch (option) {
                    case "MAXSIZE" -> maxSize = c.number();
                    case "DEPTH" -> {
                        if (c.acceptWord("INFINITY")) {
                            depth = "infinity";
                        } else {
                            long d = c.number();
                            if (d > 1) {
                                throw c.error("DEPTH must be 0, 1 or infinity");
                            }
                            depth = Long.toString(d);
                        }
                    }
                    default -> throw c.error("Unknown GETMETADATA option");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid option list");
            c.sp();
        }
        String mailbox = c.astring();
        c.sp();
        List<String> entries = new ArrayList<>();
        if (c.accept('(')) {
            do {
                entries.add(entry(c));
                if (entries.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many entries");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid entry list");
        } else {
            entries.add(entry(c));
        }
        return new ImapCommand.GetMetadata(maxSize, depth, mailbox, entries);
    }

    /** SETMETADATA mailbox (entry value [entry value ...]); value = nstring or literal8. */
    private static ImapCommand setMetadata(ArgumentCursor c) throws ImapParseException {
        String mailbox = mailboxArgument(c);
        c.sp();
        c.expect('(', "Expected a list of entries and values");
        List<ImapCommand.MetadataEntry> entries = new ArrayList<>();
        do {
            String entry = entry(c);
            c.sp();
            c.accept('~'); // literal8 (RFC 5464 allows binary values)
            entries.add(new ImapCommand.MetadataEntry(entry, c.nstring()));
            if (entries.size() > MAX_LIST_ITEMS) {
                throw c.error("Too many entries");
            }
        } while (c.acceptSp());
        c.expect(')', "Invalid entry list");
        return new ImapCommand.SetMetadata(mailbox, entries);
    }

    /** An entry name: {@code /private/...} or {@code /shared/...}, letters as in RFC 5464. */
    private static String entry(ArgumentCursor c) throws ImapParseException {
        String entry = c.astring();
        if (!entry.startsWith("/") || entry.endsWith("/") || entry.contains("//") || entry.length() > 1024) {
            throw c.error("Invalid entry name");
        }
        for (int i = 0; i < entry.length(); i++) {
            char ch = entry.charAt(i);
            if (ch < 0x21 || ch > 0x7e || ch == '*' || ch == '%') {
                throw c.error("Invalid entry name");
            }
        }
        return entry;
    }

    private static ImapCommand compress(ArgumentCursor c) throws ImapParseException {
        c.sp();
        return new ImapCommand.Compress(c.atom().toUpperCase(Locale.ROOT));
    }

    private static ImapCommand uidExpunge(ArgumentCursor c) throws ImapParseException {
        c.sp();
        return new ImapCommand.Expunge(c.sequenceSet());
    }

    private static ImapCommand copy(ArgumentCursor c, boolean uid, boolean move) throws ImapParseException {
        c.sp();
        SequenceSet set = c.sequenceSet();
        String mailbox = mailboxArgument(c);
        return new ImapCommand.Copy(uid, set, mailbox, move);
    }

    // ---- FETCH

    private static ImapCommand fetch(ArgumentCursor c, boolean uid) throws ImapParseException {
        c.sp();
        SequenceSet set = c.sequenceSet();
        c.sp();
        List<FetchItem> items = new ArrayList<>();
        if (c.accept('(')) {
            do {
                items.add(fetchItem(c));
                if (items.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many data items");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid data item list");
        } else {
            String macro = c.peek() == 'A' || c.peek() == 'a' || c.peek() == 'F' || c.peek() == 'f'
                    ? macro(c) : null;
            if (macro == null) {
                items.add(fetchItem(c));
            } else {
                items.add(new FetchItem.Flags());
                items.add(new FetchItem.InternalDate());
                items.add(new FetchItem.Rfc822Size());
                if (!macro.equals("FAST")) {
                    items.add(new FetchItem.Envelope());
                }
                if (macro.equals("FULL")) {
                    items.add(new FetchItem.BodyStructure(false));
                }
            }
        }
        long changedSince = -1;
        if (c.acceptSp()) {
            c.expect('(', "Expected FETCH modifiers");
            do {
                String modifier = c.atom().toUpperCase(Locale.ROOT);
                if (!modifier.equals("CHANGEDSINCE")) {
                    throw c.error("Unknown FETCH modifier");
                }
                c.sp();
                changedSince = c.number64();
            } while (c.acceptSp());
            c.expect(')', "Invalid FETCH modifiers");
        }
        return new ImapCommand.Fetch(uid, set, items, changedSince);
    }

    private static String macro(ArgumentCursor c) {
        for (String m : List.of("ALL", "FAST", "FULL")) {
            if (c.acceptWord(m)) {
                return m;
            }
        }
        return null;
    }

    private static FetchItem fetchItem(ArgumentCursor c) throws ImapParseException {
        String name = c.itemName();
        return switch (name) {
            case "UID" -> new FetchItem.Uid();
            case "FLAGS" -> new FetchItem.Flags();
            case "INTERNALDATE" -> new FetchItem.InternalDate();
            case "RFC822.SIZE" -> new FetchItem.Rfc822Size();
            case "ENVELOPE" -> new FetchItem.Envelope();
            case "BODYSTRUCTURE" -> new FetchItem.BodyStructure(true);
            case "MODSEQ" -> new FetchItem.ModSeq();
            case "RFC822" -> new FetchItem.Rfc822(Section.Kind.ALL);
            case "RFC822.HEADER" -> new FetchItem.Rfc822(Section.Kind.HEADER);
            case "RFC822.TEXT" -> new FetchItem.Rfc822(Section.Kind.TEXT);
            case "BODY", "BODY.PEEK" -> {
                if (c.peek() != '[') {
                    if (name.equals("BODY.PEEK")) {
                        throw c.error("BODY.PEEK needs a section");
                    }
                    yield new FetchItem.BodyStructure(false);
                }
                yield body(c, name.equals("BODY.PEEK"));
            }
            default -> throw c.error("Unknown FETCH data item");
        };
    }

    private static FetchItem body(ArgumentCursor c, boolean peek) throws ImapParseException {
        c.expect('[', "Expected a section");
        Section section = section(c);
        c.expect(']', "Invalid section");
        long origin = -1;
        long count = -1;
        if (c.accept('<')) {
            origin = c.number();
            c.expect('.', "Invalid partial range");
            count = c.nzNumber();
            c.expect('>', "Invalid partial range");
        }
        return new FetchItem.Body(peek, section, origin, count);
    }

    private static Section section(ArgumentCursor c) throws ImapParseException {
        if (c.peek() == ']') {
            return Section.WHOLE;
        }
        List<Integer> part = new ArrayList<>();
        while (c.peek() >= '0' && c.peek() <= '9') {
            long n = c.nzNumber();
            if (n > 10_000 || part.size() >= 100) {
                throw c.error("Invalid section part");
            }
            part.add((int) n);
            if (!c.accept('.')) {
                return new Section(part, Section.Kind.ALL, List.of());
            }
        }
        String text = c.itemName();
        Section.Kind kind = switch (text) {
            case "HEADER" -> Section.Kind.HEADER;
            case "HEADER.FIELDS" -> Section.Kind.HEADER_FIELDS;
            case "HEADER.FIELDS.NOT" -> Section.Kind.HEADER_FIELDS_NOT;
            case "TEXT" -> Section.Kind.TEXT;
            case "MIME" -> {
                if (part.isEmpty()) {
                    throw c.error("MIME needs a part number");
                }
                yield Section.Kind.MIME;
            }
            default -> throw c.error("Invalid section");
        };
        List<String> fields = List.of();
        if (kind == Section.Kind.HEADER_FIELDS || kind == Section.Kind.HEADER_FIELDS_NOT) {
            c.sp();
            c.expect('(', "Expected a list of header field names");
            fields = new ArrayList<>();
            do {
                String field = c.astring();
                if (field.isEmpty() || !field.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f && ch != ':')) {
                    throw c.error("Invalid header field name");
                }
                fields.add(field);
                if (fields.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many header fields");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid header field list");
        }
        return new Section(part, kind, fields);
    }

    // ---- STORE

    private static ImapCommand store(ArgumentCursor c, boolean uid) throws ImapParseException {
        c.sp();
        SequenceSet set = c.sequenceSet();
        c.sp();
        long unchangedSince = -1;
        if (c.accept('(')) {
            String modifier = c.atom().toUpperCase(Locale.ROOT);
            if (!modifier.equals("UNCHANGEDSINCE")) {
                throw c.error("Unknown STORE modifier");
            }
            c.sp();
            unchangedSince = c.number64();
            c.expect(')', "Invalid STORE modifier");
            c.sp();
        }
        String item = c.itemName();
        StoreMode mode;
        String rest;
        if (item.startsWith("+")) {
            mode = StoreMode.ADD;
            rest = item.substring(1);
        } else if (item.startsWith("-")) {
            mode = StoreMode.REMOVE;
            rest = item.substring(1);
        } else {
            mode = StoreMode.REPLACE;
            rest = item;
        }
        boolean silent = rest.equals("FLAGS.SILENT");
        if (!silent && !rest.equals("FLAGS")) {
            throw c.error("Invalid STORE data item");
        }
        c.sp();
        List<String> flags;
        if (c.peek() == '(') {
            flags = c.flagList();
        } else {
            flags = new ArrayList<>();
            do {
                flags.add(c.flag());
                if (flags.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many flags");
                }
            } while (c.acceptSp());
        }
        return new ImapCommand.Store(uid, set, unchangedSince, mode, silent, flags);
    }

    // ---- SEARCH

    private static ImapCommand search(ArgumentCursor c, boolean uid) throws ImapParseException {
        c.sp();
        String charset = null;
        if (c.acceptWord("CHARSET")) {
            c.sp();
            charset = c.astring();
            c.sp();
        }
        List<SearchKey> keys = new ArrayList<>();
        do {
            keys.add(searchKey(c, 0));
            if (keys.size() > MAX_LIST_ITEMS) {
                throw c.error("Too many search keys");
            }
        } while (c.acceptSp());
        return new ImapCommand.Search(uid, charset, new SearchKey.And(keys));
    }

    private static SearchKey searchKey(ArgumentCursor c, int depth) throws ImapParseException {
        if (depth > MAX_SEARCH_DEPTH) {
            throw c.error("Search criteria nested too deeply");
        }
        if (c.accept('(')) {
            List<SearchKey> keys = new ArrayList<>();
            do {
                keys.add(searchKey(c, depth + 1));
                if (keys.size() > MAX_LIST_ITEMS) {
                    throw c.error("Too many search keys");
                }
            } while (c.acceptSp());
            c.expect(')', "Invalid search list");
            return new SearchKey.And(keys);
        }
        int first = c.peek();
        if ((first >= '0' && first <= '9') || first == '*') {
            return new SearchKey.Sequence(c.sequenceSet());
        }
        String key = c.atom().toUpperCase(Locale.ROOT);
        return switch (key) {
            case "ALL" -> new SearchKey.All();
            case "ANSWERED" -> new SearchKey.Flag("\\Answered", true);
            case "UNANSWERED" -> new SearchKey.Flag("\\Answered", false);
            case "DELETED" -> new SearchKey.Flag("\\Deleted", true);
            case "UNDELETED" -> new SearchKey.Flag("\\Deleted", false);
            case "DRAFT" -> new SearchKey.Flag("\\Draft", true);
            case "UNDRAFT" -> new SearchKey.Flag("\\Draft", false);
            case "FLAGGED" -> new SearchKey.Flag("\\Flagged", true);
            case "UNFLAGGED" -> new SearchKey.Flag("\\Flagged", false);
            case "SEEN" -> new SearchKey.Flag("\\Seen", true);
            case "UNSEEN" -> new SearchKey.Flag("\\Seen", false);
            case "KEYWORD" -> {
                c.sp();
                yield new SearchKey.Flag(c.atom(), true);
            }
            case "UNKEYWORD" -> {
                c.sp();
                yield new SearchKey.Flag(c.atom(), false);
            }
            case "NEW", "RECENT" -> new SearchKey.Recent(true);
            case "OLD" -> new SearchKey.Recent(false);
            case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE" -> {
                c.sp();
                boolean sent = key.startsWith("SENT");
                SearchKey.Comparison comparison = SearchKey.Comparison.valueOf(sent ? key.substring(4) : key);
                yield new SearchKey.Date(comparison, sent, c.date());
            }
            case "LARGER", "SMALLER" -> {
                c.sp();
                yield new SearchKey.Size(key.equals("LARGER"), c.number64());
            }
            case "UID" -> {
                c.sp();
                yield new SearchKey.Uid(c.sequenceSet());
            }
            case "FROM", "TO", "CC", "BCC", "SUBJECT" -> {
                c.sp();
                String field = key.charAt(0) + key.substring(1).toLowerCase(Locale.ROOT);
                yield new SearchKey.Header(field, c.astring());
            }
            case "HEADER" -> {
                c.sp();
                String field = c.astring();
                c.sp();
                yield new SearchKey.Header(field, c.astring());
            }
            case "BODY" -> {
                c.sp();
                yield new SearchKey.Text(false, c.astring());
            }
            case "TEXT" -> {
                c.sp();
                yield new SearchKey.Text(true, c.astring());
            }
            case "MODSEQ" -> {
                c.sp();
                if (c.peek() == '"') {
                    // entry-name and entry-type-req of RFC 7162: accepted, not used
                    c.quoted();
                    c.sp();
                    c.atom();
                    c.sp();
                }
                yield new SearchKey.ModSeq(c.number64());
            }
            case "NOT" -> {
                c.sp();
                yield new SearchKey.Not(searchKey(c, depth + 1));
            }
            case "OR" -> {
                c.sp();
                SearchKey left = searchKey(c, depth + 1);
                c.sp();
                yield new SearchKey.Or(left, searchKey(c, depth + 1));
            }
            default -> throw c.error("Unknown search criterion");
        };
    }
}
