package chatmail.turn;

/**
 * The bandwidth limit of one allocation in one direction (SPEC TURN-3: 5 Mbit/s): a token bucket
 * of bytes, refilled by the relay's clock. Only the relay thread touches it.
 */
final class ByteBudget {
    private long tokens;
    private long updated;

    ByteBudget(long burst, long nowMillis) {
        this.tokens = burst;
        this.updated = nowMillis;
    }

    boolean take(int bytes, long nowMillis, long perSecond, long burst) {
        long elapsed = nowMillis - updated;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perSecond / 1000);
            updated = nowMillis;
        } else if (elapsed < 0) {
            updated = nowMillis;
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
