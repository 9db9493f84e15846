package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.store.DeliveryTarget;
import chatmail.store.Mailbox;
import chatmail.store.MessageBody;
import chatmail.store.NewMessage;
import chatmail.store.StoredMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * APPEND with APPENDUID (RFC 4315); refused over quota (IMAP-6). A large message arrives spooled
 * (SEC-1) and the store renames its file into place.
 */
final class AppendCommand {
    private AppendCommand() {}

    static Result run(ImapSession s, ImapCommand.Append append) {
        Set<String> flags;
        try {
            flags = Flags.parse(append.flags());
        } catch (IllegalArgumentException e) {
            return Result.bad("Error in IMAP command APPEND: " + e.getMessage());
        }
        Optional<Mailbox> mailbox = s.store().mailbox(s.account().id(), MailboxNames.normalize(append.mailbox()));
        if (mailbox.isEmpty()) {
            return Result.no("[TRYCREATE] Mailbox doesn't exist.");
        }
        MessageBody message = append.message();
        if (message.size() == 0) {
            return Result.no("Can't save a zero byte message.");
        }
        if (message.size() > s.services().config().maxMessageSize()) {
            return Result.no("[TOOBIG] Message too large.");
        }
        if (s.store().usage(s.account().id()) + message.size() > s.services().config().maxMailboxSize()) {
            return Result.no("[OVERQUOTA] Quota exceeded");
        }
        Instant date = append.date() == null ? s.services().clock().instant() : append.date().toInstant();
        StoredMessage stored = s.store().deliver(new NewMessage(message, date),
                List.of(new DeliveryTarget(mailbox.get().id(), flags))).getFirst();
        SelectedMailbox view = s.selected();
        if (view != null && view.mailboxId() == mailbox.get().id()) {
            view.markChanged();
        }
        return Result.ok("[APPENDUID " + mailbox.get().uidValidity() + " " + stored.uid() + "] Append completed.");
    }
}
