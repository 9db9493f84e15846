package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle =
            new LoginThrottle(clock, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMinutes(15));
    private final InetAddress guesser = InetAddress.getLoopbackAddress();

    @Test
    void delaysGrowWithFailuresUpToTheCap() throws Exception {
        assertThat(throttle.delayFor(guesser)).isZero();
        throttle.failed(guesser);
        throttle.failed(guesser);
        assertThat(throttle.delayFor(guesser)).as("two typing errors cost nothing").isZero();

        throttle.failed(guesser);
        assertThat(throttle.delayFor(guesser)).isEqualTo(Duration.ofMillis(500));
        throttle.failed(guesser);
        assertThat(throttle.delayFor(guesser)).isEqualTo(Duration.ofMillis(1000));
        for (int i = 0; i < 20; i++) {
            throttle.failed(guesser);
        }
        assertThat(throttle.delayFor(guesser)).isEqualTo(Duration.ofSeconds(2));

        InetAddress other = InetAddress.getByName("127.0.0.2");
        assertThat(throttle.delayFor(other)).as("another client is not slowed").isZero();
    }

    @Test
    void failuresAreForgottenAfterAQuietPeriod() {
        for (int i = 0; i < 5; i++) {
            throttle.failed(guesser);
        }
        clock.advance(Duration.ofMinutes(14));
        assertThat(throttle.delayFor(guesser)).isPositive();
        clock.advance(Duration.ofMinutes(2));
        assertThat(throttle.delayFor(guesser)).isZero();
        throttle.failed(guesser);
        assertThat(throttle.delayFor(guesser)).as("counting starts again").isZero();
    }

    @Test
    void aSuccessfulLoginClearsTheFailures() {
        for (int i = 0; i < 5; i++) {
            throttle.failed(guesser);
        }
        throttle.succeeded(guesser);
        assertThat(throttle.delayFor(guesser)).isZero();
    }
}
