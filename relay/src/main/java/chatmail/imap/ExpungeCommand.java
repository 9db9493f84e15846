package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.SequenceSet;
import chatmail.store.MessageInfo;
import java.util.List;

/** EXPUNGE and UID EXPUNGE (RFC 4315): removes \Deleted messages and reports each. */
final class ExpungeCommand {
    private ExpungeCommand() {}

    static Result run(ImapSession s, ImapCommand.Expunge expunge) {
        SelectedMailbox view = s.selected();
        if (view.readOnly()) {
            return Result.no("[READ-ONLY] Mailbox is read-only.");
        }
        SequenceSet.Resolved named = expunge.uids() == null ? null : expunge.uids().resolve(view.highestUid());
        List<Long> deleted = s.store().snapshot(view.mailboxId()).messages().stream()
                .filter(m -> m.flags().contains("\\Deleted"))
                .map(MessageInfo::uid)
                .filter(uid -> named == null || (view.seq(uid) > 0 && named.contains(uid)))
                .toList();
        if (!deleted.isEmpty()) {
            List<Long> removed = s.store().expunge(view.mailboxId(), deleted);
            view.expunged(removed, s.syncResponses());
        }
        return Result.ok("Expunge completed.");
    }
}
