package chatmail.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedAgeSnapshotTest {

    @Test
    void takesAgainOnlyOnceTheLastIsAsOldAsItsBound() {
        MutableClock clock = new MutableClock();
        AtomicInteger takings = new AtomicInteger();
        BoundedAgeSnapshot<Integer> snapshot = new BoundedAgeSnapshot<>(takings::incrementAndGet, Duration.ofMinutes(1), clock);

        assertThat(snapshot.get()).isEqualTo(1);
        assertThat(snapshot.get()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(59));
        assertThat(snapshot.get()).as("younger than its bound").isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(snapshot.get()).isEqualTo(2);
        assertThat(takings).hasValue(2);
    }

    @Test
    void aClockSetBackTakesItAgain() {
        MutableClock clock = new MutableClock();
        AtomicInteger takings = new AtomicInteger();
        BoundedAgeSnapshot<Integer> snapshot = new BoundedAgeSnapshot<>(takings::incrementAndGet, Duration.ofMinutes(1), clock);
        snapshot.get();

        clock.advance(Duration.ofSeconds(-1));

        assertThat(snapshot.get()).isEqualTo(2);
    }
}
