package chatmail.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private final Instant first = Instant.parse("2025-11-26T08:00:00Z");

    @Test
    void triesAtTheSpecifiedOffsetsFromTheFirst() {
        RetrySchedule schedule = RetrySchedule.standard();
        assertThat(schedule.tries()).isEqualTo(5);
        assertThat(schedule.nextAttempt(first, 1)).contains(first.plusSeconds(8));
        assertThat(schedule.nextAttempt(first, 2)).contains(first.plusSeconds(72));
        assertThat(schedule.nextAttempt(first, 3)).contains(first.plusSeconds(584));
        assertThat(schedule.nextAttempt(first, 4)).contains(first.plusSeconds(4680));
    }

    @Test
    void theFifthFailureDrops() {
        assertThat(RetrySchedule.standard().nextAttempt(first, 5)).isEmpty();
    }

    @Test
    void statusesMapToOutcomes() {
        assertThat(NotifyOutcome.ofStatus(200)).isInstanceOf(NotifyOutcome.Delivered.class);
        assertThat(NotifyOutcome.ofStatus(410)).isInstanceOf(NotifyOutcome.TokenGone.class);
        for (int status : new int[] {201, 204, 301, 400, 404, 429, 500, 503}) {
            assertThat(NotifyOutcome.ofStatus(status)).as("HTTP %d", status).isInstanceOf(NotifyOutcome.Failed.class);
        }
    }
}
