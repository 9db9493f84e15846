package chatmail.web;

import chatmail.policy.RateLimiter;
import java.net.InetAddress;
import java.time.Clock;

/**
 * Requests for new credentials per client address (ACC-4): 2 per second with bursts of 5.
 * IPv6 clients count per /64, which one host usually holds whole. Addresses live only in
 * memory, as long as their bucket is not full again.
 */
final class ClientRateLimit {

    private final RateLimiter limiter;

    ClientRateLimit(int perSecond, int burst, Clock clock) {
        this.limiter = new RateLimiter(perSecond * 60, burst, clock);
    }

    static ClientRateLimit forNewAccounts(Clock clock) {
        return new ClientRateLimit(2, 5, clock);
    }

    /** True, and counted, when this client may have one more. */
    boolean tryAcquire(InetAddress client) {
        return limiter.tryAcquire(key(client));
    }

    static String key(InetAddress client) {
        byte[] b = client.getAddress();
        if (b.length == 16) {
            StringBuilder sb = new StringBuilder("v6:");
            for (int i = 0; i < 8; i++) {
                sb.append(String.format("%02x", b[i]));
            }
            return sb.toString();
        }
        return client.getHostAddress();
    }
}
