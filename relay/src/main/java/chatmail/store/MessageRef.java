package chatmail.store;

import java.time.Instant;

/** Points at one stored message, with what expiry and the quota trim decide on. */
public record MessageRef(long accountId, long mailboxId, long uid, long size, Instant internalDate) {}
