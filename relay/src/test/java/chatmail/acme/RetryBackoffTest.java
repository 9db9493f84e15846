package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** OPS-1: a failed order is retried after 1 min, doubling to at most 1 h; Retry-After is honoured. */
class RetryBackoffTest {

    final RetryBackoff backoff = RetryBackoff.standard();
    final Instant failedAt = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void delaysDoubleFromOneMinuteAndStopAtOneHour() {
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofMinutes(32));
        assertThat(backoff.delay(7)).isEqualTo(Duration.ofHours(1));
        assertThat(backoff.delay(1000)).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> backoff.delay(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLaterRetryAfterOfTheCaWinsAnEarlierOneDoesNot() {
        assertThat(backoff.nextAttempt(failedAt, 1, Optional.empty())).isEqualTo(failedAt.plus(Duration.ofMinutes(1)));
        Instant inThreeHours = failedAt.plus(Duration.ofHours(3));
        assertThat(backoff.nextAttempt(failedAt, 1, Optional.of(inThreeHours))).isEqualTo(inThreeHours);
        assertThat(backoff.nextAttempt(failedAt, 3, Optional.of(failedAt.plusSeconds(10))))
                .isEqualTo(failedAt.plus(Duration.ofMinutes(4)));
    }
}
