package chatmail.store;

import java.util.List;

/** A consistent view of one mailbox at one moment: its counters and messages in UID order. */
public record MailboxSnapshot(Mailbox mailbox, long uidNext, long highestModseq, List<MessageInfo> messages) {
    public MailboxSnapshot {
        messages = List.copyOf(messages);
    }
}
