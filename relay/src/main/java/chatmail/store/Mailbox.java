package chatmail.store;

/** A mailbox of one account. */
public record Mailbox(long id, long accountId, String name, long uidValidity) {}
