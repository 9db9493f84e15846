package chatmail.limits;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SEC-3's delay of wrong passwords: five free per minute, then doubling to a cap; never a lockout. */
class LoginFailuresTest {

    private final MutableClock clock = new MutableClock();
    private final LoginFailures failures =
            new LoginFailures(clock, 5, Duration.ofSeconds(1), Duration.ofSeconds(15));

    @Test
    void fiveFailuresWithinAMinuteAreFreeThenTheDelayDoublesUpToItsCap() {
        for (int i = 1; i <= 5; i++) {
            assertThat(failures.failed("192.0.2.1")).as("failure %d", i).isZero();
        }
        assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(2));
        assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(4));
        assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(8));
        assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(15));
        for (int i = 0; i < 100; i++) {
            assertThat(failures.failed("192.0.2.1")).isEqualTo(Duration.ofSeconds(15));
        }
        assertThat(failures.failed("192.0.2.2")).as("another client").isZero();
    }

    @Test
    void failuresOlderThanAMinuteNoLongerCount() {
        for (int i = 0; i < 5; i++) {
            failures.failed("k");
            clock.advance(Duration.ofSeconds(10));
        }
        // Five within the last minute: the sixth waits.
        assertThat(failures.failed("k")).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(61));
        assertThat(failures.failed("k")).as("the window is empty again").isZero();
    }
}
