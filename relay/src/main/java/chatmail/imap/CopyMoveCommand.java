package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoredMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** COPY, MOVE and their UID forms, with COPYUID (RFC 4315) and RFC 6851 MOVE. */
final class CopyMoveCommand {
    private CopyMoveCommand() {}

    static Result run(ImapSession s, ImapCommand.Copy copy) throws IOException {
        SelectedMailbox view = s.selected();
        String verb = copy.move() ? "Move" : "Copy";
        if (copy.move() && view.readOnly()) {
            return Result.no("[READ-ONLY] Mailbox is read-only.");
        }
        List<Integer> seqs;
        try {
            seqs = copy.uid() ? view.byUid(copy.set()) : view.bySequence(copy.set());
        } catch (SelectedMailbox.InvalidMessageSet e) {
            return Result.bad("Error in IMAP command " + copy.name() + ": Invalid messageset");
        }
        Optional<Mailbox> target = s.store().mailbox(s.account().id(), MailboxNames.normalize(copy.mailbox()));
        if (target.isEmpty()) {
            return Result.no("[TRYCREATE] Mailbox doesn't exist.");
        }
        MailboxSnapshot snapshot = s.store().snapshot(view.mailboxId());
        List<Long> sources = new ArrayList<>();
        long size = 0;
        for (long uid : MessageSets.uids(view, seqs)) {
            MessageInfo info = MessageSets.find(snapshot, uid);
            if (info != null) {
                sources.add(uid);
                size += info.size();
            }
        }
        if (sources.isEmpty()) {
            return Result.ok("No messages found.");
        }
        if (!copy.move() && s.store().usage(s.account().id()) + size > s.services().config().maxMailboxSize()) {
            return Result.no("[OVERQUOTA] Quota exceeded");
        }
        List<StoredMessage> copies = s.store().copy(view.mailboxId(), sources, target.get().id());
        if (copies.size() != sources.size()) {
            // Some vanished between the look and the copy; the UID pairs would no longer match.
            return Result.ok(verb + " completed.");
        }
        String copyUid = "[COPYUID " + target.get().uidValidity() + " " + MessageSets.compact(sources) + " "
                + MessageSets.compact(copies.stream().map(StoredMessage::uid).toList()) + "]";
        if (target.get().id() == view.mailboxId()) {
            view.markChanged();
        }
        if (!copy.move()) {
            return Result.ok(copyUid + " Copy completed.");
        }
        s.out().untagged("OK " + copyUid + " Moved UIDs.");
        List<Long> removed = s.store().expunge(view.mailboxId(), sources);
        view.expunged(removed, s.syncResponses());
        return Result.ok("Move completed.");
    }
}
