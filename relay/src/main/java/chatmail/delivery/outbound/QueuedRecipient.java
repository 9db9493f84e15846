package chatmail.delivery.outbound;

import java.time.Instant;

/**
 * One recipient of a queued message that still waits for delivery.
 *
 * @param sender the envelope sender, empty for the null sender ({@code MAIL FROM:<>})
 * @param domain the recipient's domain in lower case ({@code [1.2.3.4]} for IP literals)
 * @param attempts how many delivery attempts have failed so far
 * @param finalReply the final SMTP reply of a recipient that failed and waits only for its
 *     bounce to be stored, else null
 */
public record QueuedRecipient(
        long id,
        long messageId,
        String sender,
        String recipient,
        String domain,
        int attempts,
        Instant createdAt,
        Instant nextAttemptAt,
        String lastError,
        String finalReply) {
}
