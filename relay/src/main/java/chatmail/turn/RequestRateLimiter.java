package chatmail.turn;

/**
 * A token bucket per client address for what is answered without authentication (SPEC TURN-3),
 * so our answers cannot be turned on a third party whose address a sender forges. A fixed table:
 * a flood from many addresses costs no memory. When two addresses land in one slot and the
 * older one is still counting, they share its bucket (stricter, never looser).
 */
final class RequestRateLimiter {
    private static final int SLOTS = 4096;

    private final long[] keys = new long[SLOTS];
    private final long[] tokensMilli = new long[SLOTS];
    private final long[] updated = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final long burstMilli;
    private final long perSecond;

    RequestRateLimiter(int burst, int perSecond) {
        this.burstMilli = burst * 1000L;
        this.perSecond = perSecond;
    }

    /** Takes one request's token for this client; false when its bucket is empty. */
    boolean tryAcquire(long clientKey, long nowMillis) {
        int slot = (int) (mix(clientKey) & (SLOTS - 1));
        refill(slot, nowMillis);
        if (!used[slot] || (keys[slot] != clientKey && tokensMilli[slot] >= burstMilli)) {
            used[slot] = true;
            keys[slot] = clientKey;
            tokensMilli[slot] = burstMilli;
            updated[slot] = nowMillis;
        }
        if (tokensMilli[slot] < 1000) {
            return false;
        }
        tokensMilli[slot] -= 1000;
        return true;
    }

    private void refill(int slot, long nowMillis) {
        if (!used[slot]) {
            return;
        }
        long elapsed = nowMillis - updated[slot];
        if (elapsed > 0) {
            tokensMilli[slot] = Math.min(burstMilli, tokensMilli[slot] + elapsed * perSecond);
            updated[slot] = nowMillis;
        } else if (elapsed < 0) {
            updated[slot] = nowMillis; // the clock went back: start counting from now
        }
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return k;
    }
}
