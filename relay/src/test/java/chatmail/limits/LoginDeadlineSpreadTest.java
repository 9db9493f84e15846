package chatmail.limits;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.metrics.ConnectionService;
import chatmail.metrics.Metrics;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-3's login deadline stays absolute and never longer than {@code login_timeout}, but the
 * connections of one burst do not all reach it in the same instant (issue 11: a flood's
 * connections, closed together, came back as one wave of reconnections every minute).
 */
class LoginDeadlineSpreadTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path dir;

    @Test
    void aBurstOfConnectionsGetsDeadlinesSpreadOverTheLastQuarterOfTheTimeoutNeverBeyondIt() throws Exception {
        Config.Builder b = Config.builder("chatmail.localhost");
        b.dataDir = dir;
        b.limits = b.limits.withLoginTimeout(TIMEOUT);
        List<Admission> open = new ArrayList<>();
        long[] offsets = new long[200];
        try (ClientLimits limits = new ClientLimits(b.build(), Clock.systemUTC(), new Metrics())) {
            for (int i = 0; i < offsets.length; i++) {
                // One client per connection: no per-client cap refuses any of the burst.
                InetAddress client = InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
                long before = System.nanoTime();
                Admission a = limits.admit(ConnectionService.IMAP, client);
                long after = System.nanoTime();
                open.add(a);
                assertThat(a.admitted()).isTrue();
                assertThat(a.loginDeadline() - after).isLessThanOrEqualTo(TIMEOUT.toNanos());
                assertThat(a.loginDeadline() - before).isGreaterThanOrEqualTo(TIMEOUT.toNanos() * 3 / 4);
                offsets[i] = a.loginDeadline() - before;
            }
            // Spread evenly: no gap between neighbouring deadlines of the 200 is wider than a
            // twentieth of the quarter (an even spread has 1/200 of it, one instant has none).
            Arrays.sort(offsets);
            long widestGap = 0;
            for (int i = 1; i < offsets.length; i++) {
                widestGap = Math.max(widestGap, offsets[i] - offsets[i - 1]);
            }
            long quarter = TIMEOUT.toNanos() / 4;
            assertThat(offsets[offsets.length - 1] - offsets[0]).isGreaterThan(quarter * 9 / 10);
            assertThat(widestGap).isLessThan(quarter / 20);
            open.forEach(Admission::close);
            assertThat(limits.connections(ConnectionService.IMAP)).isZero();
        }
    }

    @Test
    void theDeadlineNeverExceedsTheTimeoutForAnyConnectionNumber() {
        for (long n : new long[] {0, 1, 2, 3, 1000, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
            for (Duration t : List.of(Duration.ofMillis(1), Duration.ofSeconds(1), TIMEOUT, Duration.ofDays(365))) {
                long after = ClientLimits.loginDeadlineAfter(n, t);
                assertThat(after).isBetween((long) (t.toNanos() * ClientLimits.DEADLINE_SPREAD_FROM), t.toNanos());
            }
        }
        assertThat(ClientLimits.loginDeadlineAfter(0, TIMEOUT)).isEqualTo(TIMEOUT.toNanos() * 3 / 4);
    }
}
