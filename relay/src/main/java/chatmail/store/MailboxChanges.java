package chatmail.store;

import java.util.List;

/**
 * The messages of one mailbox added or changed after a MODSEQ, in UID order, and the mailbox's
 * HIGHESTMODSEQ, read at one moment; nothing was expunged since that MODSEQ.
 */
public record MailboxChanges(long highestModseq, List<MessageInfo> changed) {
    public MailboxChanges {
        changed = List.copyOf(changed);
    }
}
