package chatmail.store;

/** An account and the bytes its messages take (IMAP-6), as one read found them. */
public record AccountUsage(Account account, long usage) {}
