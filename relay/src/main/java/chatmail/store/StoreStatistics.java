package chatmail.store;

/**
 * What the store holds, for {@code chatmail status} and the metrics (OPS-3). Logins are known
 * by day only (ACC-6): "within 7 days" means a last login on one of the last 7 days, today
 * included.
 *
 * @param bytes the message bodies stored, each once however many mailboxes hold it
 */
public record StoreStatistics(long accounts, long loggedInToday, long loggedInWithin7Days, long loggedInWithin30Days,
        long messages, long bytes) {}
