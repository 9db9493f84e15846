package chatmail.store;

import java.util.List;
import java.util.Locale;

/**
 * The outbound queue entries one commit wrote for a {@link QueuedCopy}: the queued message's id
 * and one entry id per recipient, in the order of {@link QueuedCopy#recipients()}.
 */
public record QueuedEntries(long messageId, List<Long> recipientIds) {

    public QueuedEntries {
        recipientIds = List.copyOf(recipientIds);
    }

    /** The recipient's domain as the queue keeps it: lower case, IP literals in brackets. */
    public static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
