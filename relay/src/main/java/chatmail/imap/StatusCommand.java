package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.Wire;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** STATUS (RFC 3501 6.3.10, HIGHESTMODSEQ of RFC 7162, SIZE of RFC 8438). */
final class StatusCommand {
    private StatusCommand() {}

    static Result run(ImapSession s, ImapCommand.Status status) throws IOException {
        String name = MailboxNames.normalize(status.mailbox());
        Optional<Mailbox> mailbox = s.store().mailbox(s.account().id(), name);
        if (mailbox.isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        MailboxSnapshot snapshot = s.store().snapshot(mailbox.get().id());
        List<String> parts = new ArrayList<>();
        for (String item : status.items()) {
            long value = switch (item) {
                case "MESSAGES" -> snapshot.messages().size();
                case "RECENT" -> 0;
                case "UIDNEXT" -> snapshot.uidNext();
                case "UIDVALIDITY" -> mailbox.get().uidValidity();
                case "UNSEEN" -> snapshot.messages().stream().filter(m -> !m.flags().contains("\\Seen")).count();
                case "DELETED" -> snapshot.messages().stream().filter(m -> m.flags().contains("\\Deleted")).count();
                case "SIZE" -> snapshot.messages().stream().mapToLong(MessageInfo::size).sum();
                case "HIGHESTMODSEQ" -> {
                    s.enableCondstore();
                    yield snapshot.highestModseq();
                }
                default -> -1;
            };
            if (value < 0) {
                return Result.bad("Error in IMAP command STATUS: Invalid status item " + item);
            }
            parts.add(item + " " + value);
        }
        s.out().untagged("STATUS " + Wire.astring(name) + " (" + String.join(" ", parts) + ")");
        return Result.ok("Status completed.");
    }
}
