package chatmail.delivery.outbound;

import java.util.function.LongSupplier;

/**
 * How many connections may be opened ahead of a message ({@link MxDelivClient#connectAhead}):
 * {@link #BURST} at once, then {@link #PER_SECOND} a second. Any user can name recipients
 * without sending (RCPT, then RSET), which the send rate does not count, and each new domain
 * could otherwise make this relay connect to a host of the user's choosing; with the budget
 * spent, the message's attempt connects as it did before (SEC-5's address rules apply either way).
 */
final class AheadBudget {

    static final int BURST = 20;
    static final int PER_SECOND = 2;
    private static final long NANOS_PER_CONNECTION = 1_000_000_000L / PER_SECOND;

    private final LongSupplier nanoTime;
    private long tokens = BURST;
    private long refilledAt;

    /** @param nanoTime {@link System#nanoTime} but in tests */
    AheadBudget(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Takes one connection from the budget; false when it is spent. */
    synchronized boolean take() {
        long now = nanoTime.getAsLong();
        long earned = (now - refilledAt) / NANOS_PER_CONNECTION;
        if (earned > 0) {
            tokens = Math.min(BURST, tokens + earned);
            refilledAt = tokens == BURST ? now : refilledAt + earned * NANOS_PER_CONNECTION;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
