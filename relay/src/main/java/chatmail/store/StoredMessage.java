package chatmail.store;

/** A message as committed into one mailbox. */
public record StoredMessage(long accountId, long mailboxId, long uid, long modseq) {}
