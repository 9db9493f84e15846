package chatmail.imap.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/**
 * Writes a parsed request back in wire form, every string as a non-synchronizing literal, so
 * the fuzz test can check that parsing it again gives the same request (the parser keeps the
 * meaning of what it accepts).
 */
final class ImapCommandFormatter {
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static byte[] format(ImapRequest request) {
        ImapCommandFormatter f = new ImapCommandFormatter();
        f.text(request.tag()).text(" ").command(request.command());
        return f.out.toByteArray();
    }

    private ImapCommandFormatter text(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    private ImapCommandFormatter string(String s) {
        return literal(s.getBytes(StandardCharsets.UTF_8));
    }

    private ImapCommandFormatter literal(byte[] b) {
        text("{" + b.length + "+}\r\n");
        out.writeBytes(b);
        return this;
    }

    private ImapCommandFormatter nstring(String s) {
        return s == null ? text("NIL") : string(s);
    }

    private ImapCommandFormatter list(List<String> atoms) {
        return text("(" + String.join(" ", atoms) + ")");
    }

    private ImapCommandFormatter command(ImapCommand command) {
        switch (command) {
            case ImapCommand.Capability c -> text("CAPABILITY");
            case ImapCommand.Noop c -> text("NOOP");
            case ImapCommand.Logout c -> text("LOGOUT");
            case ImapCommand.StartTls c -> text("STARTTLS");
            case ImapCommand.Namespace c -> text("NAMESPACE");
            case ImapCommand.Idle c -> text("IDLE");
            case ImapCommand.Check c -> text("CHECK");
            case ImapCommand.Close c -> text("CLOSE");
            case ImapCommand.Unselect c -> text("UNSELECT");
            case ImapCommand.Id id -> {
                text("ID ");
                if (id.fieldsAndValues() == null) {
                    text("NIL");
                } else {
                    text("(");
                    for (int i = 0; i < id.fieldsAndValues().size(); i += 2) {
                        if (i > 0) {
                            text(" ");
                        }
                        string(id.fieldsAndValues().get(i)).text(" ").nstring(id.fieldsAndValues().get(i + 1));
                    }
                    text(")");
                }
            }
            case ImapCommand.Login l -> text("LOGIN ").string(l.user()).text(" ").string(l.password());
            case ImapCommand.Authenticate a -> {
                text("AUTHENTICATE " + a.mechanism());
                if (a.initialResponse() != null) {
                    text(" " + a.initialResponse());
                }
            }
            case ImapCommand.Enable e -> text("ENABLE " + String.join(" ", e.capabilities()));
            case ImapCommand.Select s -> {
                text(s.readOnly() ? "EXAMINE " : "SELECT ").string(s.mailbox());
                if (s.condstore()) {
                    text(" (CONDSTORE)");
                }
            }
            case ImapCommand.Create c -> text("CREATE ").string(c.mailbox());
            case ImapCommand.Delete d -> text("DELETE ").string(d.mailbox());
            case ImapCommand.Rename r -> text("RENAME ").string(r.from()).text(" ").string(r.to());
            case ImapCommand.Subscribe s -> text(s.subscribe() ? "SUBSCRIBE " : "UNSUBSCRIBE ").string(s.mailbox());
            case ImapCommand.ListMailboxes l -> {
                text(l.lsub() ? "LSUB " : "LIST ");
                if (!l.selectOptions().isEmpty()) {
                    list(l.selectOptions()).text(" ");
                }
                string(l.reference()).text(" ");
                if (l.patterns().size() == 1 && l.selectOptions().isEmpty()) {
                    string(l.patterns().getFirst());
                } else {
                    text("(");
                    for (int i = 0; i < l.patterns().size(); i++) {
                        if (i > 0) {
                            text(" ");
                        }
                        string(l.patterns().get(i));
                    }
                    text(")");
                }
                if (!l.returnOptions().isEmpty()) {
                    text(" RETURN ").list(l.returnOptions());
                }
            }
            case ImapCommand.Status s -> text("STATUS ").string(s.mailbox()).text(" ").list(s.items());
            case ImapCommand.Append a -> {
                text("APPEND ").string(a.mailbox()).text(" ");
                if (!a.flags().isEmpty()) {
                    list(a.flags()).text(" ");
                }
                if (a.date() != null) {
                    text(dateTime(a.date())).text(" ");
                }
                literal(a.message().inMemory().orElseThrow());
            }
            case ImapCommand.GetQuotaRoot g -> text("GETQUOTAROOT ").string(g.mailbox());
            case ImapCommand.GetQuota g -> text("GETQUOTA ").string(g.root());
            case ImapCommand.SetQuota s -> text("SETQUOTA ").string(s.root()).text(" ").list(s.resourcesAndLimits());
            case ImapCommand.GetMetadata g -> {
                text("GETMETADATA ");
                text("(DEPTH " + g.depth());
                if (g.maxSize() >= 0) {
                    text(" MAXSIZE " + g.maxSize());
                }
                text(") ").string(g.mailbox()).text(" (");
                for (int i = 0; i < g.entries().size(); i++) {
                    if (i > 0) {
                        text(" ");
                    }
                    string(g.entries().get(i));
                }
                text(")");
            }
            case ImapCommand.SetMetadata s -> {
                text("SETMETADATA ").string(s.mailbox()).text(" (");
                for (int i = 0; i < s.entries().size(); i++) {
                    if (i > 0) {
                        text(" ");
                    }
                    string(s.entries().get(i).entry()).text(" ").nstring(s.entries().get(i).value());
                }
                text(")");
            }
            case ImapCommand.Compress c -> text("COMPRESS " + c.mechanism());
            case ImapCommand.Expunge e -> text(e.uids() == null ? "EXPUNGE" : "UID EXPUNGE " + e.uids());
            case ImapCommand.Search s -> {
                text(s.uid() ? "UID SEARCH " : "SEARCH ");
                if (s.charset() != null) {
                    text("CHARSET ").string(s.charset()).text(" ");
                }
                for (int i = 0; i < s.criteria().keys().size(); i++) {
                    if (i > 0) {
                        text(" ");
                    }
                    searchKey(s.criteria().keys().get(i));
                }
            }
            case ImapCommand.Fetch f -> {
                text(f.uid() ? "UID FETCH " : "FETCH ").text(f.set().toString()).text(" (");
                for (int i = 0; i < f.items().size(); i++) {
                    if (i > 0) {
                        text(" ");
                    }
                    fetchItem(f.items().get(i));
                }
                text(")");
                if (f.changedSince() >= 0) {
                    text(" (CHANGEDSINCE " + f.changedSince() + ")");
                }
            }
            case ImapCommand.Store s -> {
                text(s.uid() ? "UID STORE " : "STORE ").text(s.set().toString()).text(" ");
                if (s.unchangedSince() >= 0) {
                    text("(UNCHANGEDSINCE " + s.unchangedSince() + ") ");
                }
                text(switch (s.mode()) {
                    case ADD -> "+";
                    case REMOVE -> "-";
                    case REPLACE -> "";
                });
                text(s.silent() ? "FLAGS.SILENT " : "FLAGS ").list(s.flags());
            }
            case ImapCommand.Copy c -> text((c.uid() ? "UID " : "") + (c.move() ? "MOVE " : "COPY ")
                    + c.set() + " ").string(c.mailbox());
        }
        return this;
    }

    private void fetchItem(FetchItem item) {
        switch (item) {
            case FetchItem.Body b -> {
                text(b.peek() ? "BODY.PEEK[" : "BODY[");
                Section s = b.section();
                StringBuilder spec = new StringBuilder();
                for (int p : s.part()) {
                    spec.append(spec.isEmpty() ? "" : ".").append(p);
                }
                if (s.kind() != Section.Kind.ALL) {
                    spec.append(spec.isEmpty() ? "" : ".").append(s.kind().wire());
                }
                text(spec.toString());
                if (!s.fields().isEmpty()) {
                    text(" (");
                    for (int i = 0; i < s.fields().size(); i++) {
                        if (i > 0) {
                            text(" ");
                        }
                        string(s.fields().get(i));
                    }
                    text(")");
                }
                text("]");
                if (b.partial()) {
                    text("<" + b.partialOrigin() + "." + b.partialCount() + ">");
                }
            }
            default -> text(item.name());
        }
    }

    private void searchKey(SearchKey key) {
        switch (key) {
            case SearchKey.All a -> text("ALL");
            case SearchKey.Flag f -> {
                String name = switch (f.flag()) {
                    case "\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen" ->
                            f.flag().substring(1).toUpperCase(Locale.ROOT);
                    default -> null;
                };
                if (name == null) {
                    text((f.set() ? "KEYWORD " : "UNKEYWORD ") + f.flag());
                } else {
                    text((f.set() ? "" : "UN") + name);
                }
            }
            case SearchKey.Recent r -> text(r.recent() ? "RECENT" : "OLD");
            case SearchKey.Uid u -> text("UID " + u.set());
            case SearchKey.Sequence s -> text(s.set().toString());
            case SearchKey.Date d -> text((d.sent() ? "SENT" : "") + d.comparison() + " " + date(d.date()));
            case SearchKey.Size s -> text((s.larger() ? "LARGER " : "SMALLER ") + s.size());
            case SearchKey.Header h -> text("HEADER ").string(h.field()).text(" ").string(h.value());
            case SearchKey.Text t -> text(t.includeHeader() ? "TEXT " : "BODY ").string(t.value());
            case SearchKey.ModSeq m -> text("MODSEQ " + m.modseq());
            case SearchKey.Not n -> {
                text("NOT ");
                searchKey(n.key());
            }
            case SearchKey.Or o -> {
                text("OR ");
                searchKey(o.left());
                text(" ");
                searchKey(o.right());
            }
            case SearchKey.And a -> {
                text("(");
                for (int i = 0; i < a.keys().size(); i++) {
                    if (i > 0) {
                        text(" ");
                    }
                    searchKey(a.keys().get(i));
                }
                text(")");
            }
        }
    }

    private static String date(LocalDate d) {
        return d.getDayOfMonth() + "-" + MONTHS[d.getMonthValue() - 1] + "-" + d.getYear();
    }

    private static String dateTime(OffsetDateTime t) {
        int offset = t.getOffset().getTotalSeconds() / 60;
        return String.format(Locale.ROOT, "\"%02d-%s-%d %02d:%02d:%02d %s%02d%02d\"", t.getDayOfMonth(),
                MONTHS[t.getMonthValue() - 1], t.getYear(), t.getHour(), t.getMinute(), t.getSecond(),
                offset < 0 ? "-" : "+", Math.abs(offset) / 60, Math.abs(offset) % 60);
    }
}
