package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.delivery.MessagePipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The warm-up's pause while messages arrive, on a clock the test moves. */
class WarmUpYieldTest {
    private static final long MS = 1_000_000;

    private final AtomicLong now = new AtomicLong(5_000 * MS);
    private final AtomicLong submission = new AtomicLong(MessagePipeline.NEVER);
    private final AtomicLong inbound = new AtomicLong(MessagePipeline.NEVER);
    private final List<Long> sleeps = new ArrayList<>();

    private WarmUpYield yieldWith(WarmUpYield.Sleeper sleeper) {
        return new WarmUpYield(List.of(submission::get, inbound::get), now::get, sleeper, Duration.ofSeconds(1));
    }

    private final WarmUpYield.Sleeper clockMovingSleeper = nanos -> {
        sleeps.add(nanos);
        now.addAndGet(nanos);
    };

    @Test
    void withoutAnyMessageItDoesNotWait() throws InterruptedException {
        yieldWith(clockMovingSleeper).awaitQuiet();

        assertThat(sleeps).isEmpty();
    }

    @Test
    void aMessageLongAgoDoesNotHoldItUp() throws InterruptedException {
        submission.set(now.get() - 1_500 * MS);

        yieldWith(clockMovingSleeper).awaitQuiet();

        assertThat(sleeps).isEmpty();
    }

    @Test
    void itWaitsUntilTheLatestBodyOfEitherDirectionIsQuietLongEnough() throws InterruptedException {
        submission.set(now.get() - 700 * MS);
        inbound.set(now.get() - 300 * MS);

        yieldWith(clockMovingSleeper).awaitQuiet();

        assertThat(sleeps).containsExactly(700 * MS);
    }

    @Test
    void aBodyThatStartsWhileItWaitsMakesItWaitAgain() throws InterruptedException {
        inbound.set(now.get());
        yieldWith(nanos -> {
            clockMovingSleeper.sleep(nanos);
            if (sleeps.size() == 1) {
                submission.set(now.get() - 200 * MS);
            }
        }).awaitQuiet();

        assertThat(sleeps).as("the second wait: the second of quiet after that body less the 200 ms since")
                .containsExactly(1_000 * MS, 800 * MS);
    }
}
