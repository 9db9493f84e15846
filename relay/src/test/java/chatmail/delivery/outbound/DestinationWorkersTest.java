package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-destination workers of SEC-5 with attempts that the test controls: a destination whose
 * attempts hang never holds up another's, and a destination is forgotten once it has no work.
 */
class DestinationWorkersTest {

    @Test
    void aHangingDestinationHoldsOnlyItsOwnWorkersAndOthersGoOn() throws Exception {
        try (DestinationWorkers workers = new DestinationWorkers(4, 2, Duration.ZERO)) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger runningAtTarpit = new AtomicInteger();
            AtomicInteger mostAtTarpit = new AtomicInteger();
            CountDownLatch tarpitSettled = new CountDownLatch(5);
            for (int i = 0; i < 5; i++) {
                workers.submit("tarpit.example", () -> {
                    mostAtTarpit.accumulateAndGet(runningAtTarpit.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        runningAtTarpit.decrementAndGet();
                    }
                }, tarpitSettled::countDown);
            }
            CountDownLatch otherDone = new CountDownLatch(10);
            for (int i = 0; i < 10; i++) {
                workers.submit("other" + (i % 3) + ".example", () -> { }, otherDone::countDown);
            }
            assertThat(otherDone.await(30, TimeUnit.SECONDS)).as("other destinations delivered while one hangs").isTrue();
            assertThat(tarpitSettled.getCount()).as("nothing at the hanging destination finished").isEqualTo(5);
            assertThat(mostAtTarpit.get()).as("at most its own two workers").isLessThanOrEqualTo(2);
            assertThat(workers.destinations()).as("only the hanging destination is still known").isEqualTo(1);

            release.countDown();
            assertThat(tarpitSettled.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(workers.destinations()).isZero();
        }
    }

    @Test
    void destinationsAreForgottenOnceTheirWorkIsDone() throws Exception {
        try (DestinationWorkers workers = new DestinationWorkers(8, 2, Duration.ZERO)) {
            int destinations = 2000;
            CountDownLatch settled = new CountDownLatch(destinations * 2);
            for (int i = 0; i < destinations; i++) {
                workers.submit("d" + i + ".example", () -> { }, settled::countDown);
                workers.submit("d" + i + ".example", () -> { }, settled::countDown);
            }
            assertThat(settled.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(workers.destinations()).as("no entry left behind for %d destinations", destinations).isZero();
        }
    }

    @Test
    void anAttemptThatThrowsDoesNotStrandItsDestination() throws Exception {
        try (DestinationWorkers workers = new DestinationWorkers(4, 1, Duration.ZERO)) {
            CountDownLatch settled = new CountDownLatch(4);
            CountDownLatch laterRan = new CountDownLatch(2);
            workers.submit("a.example", () -> {
                throw new AssertionError("an Error from deep inside an attempt");
            }, settled::countDown);
            workers.submit("a.example", () -> {
                throw new IllegalStateException("and an exception");
            }, settled::countDown);
            workers.submit("a.example", laterRan::countDown, settled::countDown);
            workers.submit("a.example", laterRan::countDown, settled::countDown);
            assertThat(laterRan.await(30, TimeUnit.SECONDS)).as("the destination's later attempts still run").isTrue();
            assertThat(settled.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(workers.destinations()).isZero();
        }
    }

    @Test
    void closingSettlesWhatWaitsAndRefusesNewWork() throws Exception {
        // No grace: the sleeping attempt is interrupted at once.
        DestinationWorkers workers = new DestinationWorkers(1, 1, Duration.ZERO);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch settled = new CountDownLatch(3);
        workers.submit("a.example", () -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        }, settled::countDown);
        workers.submit("a.example", () -> { }, settled::countDown);
        workers.submit("b.example", () -> { }, settled::countDown);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        workers.close();
        assertThat(settled.await(30, TimeUnit.SECONDS)).as("running and waiting attempts are settled").isTrue();
        assertThat(workers.submit("c.example", () -> { }, () -> { })).isFalse();
        assertThat(workers.destinations()).isZero();
    }

    @Test
    void closingLetsARunningAttemptEndWithinTheGrace() throws Exception {
        DestinationWorkers workers = new DestinationWorkers(1, 1, Duration.ofMinutes(5));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch ranSettled = new CountDownLatch(1);
        workers.submit("a.example", () -> {
            started.countDown();
            try {
                answer.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            }
        }, ranSettled::countDown);
        // Waits behind the running attempt (one worker per destination); closing settles it unrun,
        // which tells the test that close() has begun.
        CountDownLatch closing = new CountDownLatch(1);
        workers.submit("a.example", () -> { }, closing::countDown);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        Thread closer = Thread.ofVirtual().start(workers::close);
        assertThat(closing.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(closer.isAlive()).as("close() waits for the running attempt").isTrue();
        answer.countDown();
        closer.join();

        assertThat(interrupted).as("the running attempt ended on its own, not by an interrupt").isFalse();
        assertThat(ranSettled.getCount()).as("and was settled before close() returned").isZero();
    }
}
