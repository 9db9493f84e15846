package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** SELECT, EXAMINE, CLOSE and UNSELECT. */
final class SelectCommand {
    static final String SYSTEM_FLAGS = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

    private SelectCommand() {}

    static Result select(ImapSession s, ImapCommand.Select select) throws IOException {
        // A failed SELECT leaves no mailbox selected (RFC 3501 6.3.1).
        s.unselect();
        String name = MailboxNames.normalize(select.mailbox());
        Optional<Mailbox> mailbox = s.store().mailbox(s.account().id(), name);
        if (mailbox.isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        if (select.condstore()) {
            s.enableCondstore();
        }
        MailboxSnapshot snapshot = s.store().snapshot(mailbox.get().id());
        SelectedMailbox view = new SelectedMailbox(mailbox.get(), select.readOnly(), snapshot);
        TreeSet<String> keywords = new TreeSet<>();
        int firstUnseen = 0;
        List<MessageInfo> messages = snapshot.messages();
        for (int i = 0; i < messages.size(); i++) {
            for (String flag : messages.get(i).flags()) {
                if (!flag.startsWith("\\")) {
                    keywords.add(flag);
                }
            }
            if (firstUnseen == 0 && !messages.get(i).flags().contains("\\Seen")) {
                firstUnseen = i + 1;
            }
        }
        String flags = SYSTEM_FLAGS + (keywords.isEmpty() ? "" : " " + String.join(" ", keywords));
        var out = s.out();
        out.untagged("FLAGS (" + flags + ")");
        out.untagged(select.readOnly() ? "OK [PERMANENTFLAGS ()] Read-only mailbox."
                : "OK [PERMANENTFLAGS (" + flags + " \\*)] Flags permitted.");
        out.untagged(view.exists() + " EXISTS");
        out.untagged("0 RECENT");
        if (firstUnseen > 0) {
            out.untagged("OK [UNSEEN " + firstUnseen + "] First unseen.");
        }
        out.untagged("OK [UIDVALIDITY " + mailbox.get().uidValidity() + "] UIDs valid");
        out.untagged("OK [UIDNEXT " + snapshot.uidNext() + "] Predicted next UID");
        out.untagged("OK [HIGHESTMODSEQ " + snapshot.highestModseq() + "] Highest");
        s.select(view);
        return Result.ok(select.readOnly() ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
    }

    /** Removes \Deleted messages without telling the client (RFC 3501 6.4.2), then deselects. */
    static Result close(ImapSession s) {
        SelectedMailbox view = s.selected();
        s.unselect();
        if (!view.readOnly()) {
            MailStore store = s.store();
            List<Long> deleted = store.snapshot(view.mailboxId()).messages().stream()
                    .filter(m -> m.flags().contains("\\Deleted")).map(MessageInfo::uid).toList();
            if (!deleted.isEmpty()) {
                store.expunge(view.mailboxId(), deleted);
            }
        }
        return Result.ok("Close completed.");
    }

    static Result unselect(ImapSession s) {
        s.unselect();
        return Result.ok("Unselect completed.");
    }
}
