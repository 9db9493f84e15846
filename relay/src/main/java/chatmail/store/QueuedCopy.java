package chatmail.store;

import java.time.Instant;
import java.util.List;

/**
 * A submitted message as it leaves for remote recipients: {@code header} (the DKIM-Signature
 * field, or nothing) on top of {@code body}. The two stay apart so a store can keep the body
 * once for the local copies and the queue (the SQLite store links the spooled file twice).
 *
 * @param sender the envelope sender, empty for the null sender
 * @param claimedUntil when not null, the entries are claimed by the accepting node until then, in
 *     the same commit, so it hands them to their destinations at once and no other look at the
 *     queue takes them meanwhile (SEC-5)
 * @param signAtSend the copy is queued without its DKIM signature ({@code header} empty), which
 *     is being made beside the commit; an attempt without that signature in hand makes one
 */
public record QueuedCopy(String sender, List<String> recipients, byte[] header, MessageBody body, Instant createdAt,
        Instant claimedUntil, boolean signAtSend) {

    public QueuedCopy {
        recipients = List.copyOf(recipients);
        if (signAtSend && header.length > 0) {
            throw new IllegalArgumentException("a copy signed at send time has no header of its own yet");
        }
    }

    /** A copy queued with its signature ({@code header}), or none needed. */
    public QueuedCopy(String sender, List<String> recipients, byte[] header, MessageBody body, Instant createdAt,
            Instant claimedUntil) {
        this(sender, recipients, header, body, createdAt, claimedUntil, false);
    }

    public long size() {
        return header.length + body.size();
    }
}
