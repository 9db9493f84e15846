package chatmail.delivery.outbound;

import chatmail.store.MessageBody;

/**
 * A queued message as its row holds it.
 *
 * @param signAtSend the message was queued before its DKIM signature was made (a submission
 *     signs beside its commit): whoever sends it without that signature in hand signs it first
 */
public record QueuedContent(MessageBody body, boolean signAtSend) {}
