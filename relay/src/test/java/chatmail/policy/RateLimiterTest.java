package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SMTP-3 GCRA on a moved clock. */
class RateLimiterTest {

    private static final String ALICE = "alice1234@relay.example";

    @ParameterizedTest(name = "rate {0}/min, burst {1}")
    @CsvSource({"60, 10", "30, 1", "1, 3", "600, 100"})
    void exactlyBurstPassThenOneMorePerInterval(int perMinute, int burst) {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(perMinute, burst, clock);
        for (int i = 0; i < burst; i++) {
            assertThat(limiter.check(ALICE).accepted()).as("message %d of the burst", i + 1).isTrue();
        }
        Verdict refused = limiter.check(ALICE);
        assertThat(refused.rejection()).hasValueSatisfying(r ->
                assertThat(r.line()).isEqualTo("450 4.7.1 Too much mail from <" + ALICE + ">"));

        Duration interval = Duration.ofMinutes(1).dividedBy(perMinute);
        clock.advance(interval.minusMillis(1));
        assertThat(limiter.check(ALICE).accepted()).as("just before one interval").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.check(ALICE).accepted()).as("after one interval").isTrue();
        assertThat(limiter.check(ALICE).accepted()).as("only one after one interval").isFalse();

        // After burst intervals of silence the full burst is available again, not more.
        clock.advance(interval.multipliedBy(burst));
        for (int i = 0; i < burst; i++) {
            assertThat(limiter.tryAcquire(ALICE)).isTrue();
        }
        assertThat(limiter.tryAcquire(ALICE)).isFalse();
    }

    @Test
    void sendersAreLimitedIndependentlyAndCaseInsensitively() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(60, 2, clock);
        assertThat(limiter.tryAcquire(ALICE)).isTrue();
        assertThat(limiter.tryAcquire("ALICE1234@relay.example")).isTrue();
        assertThat(limiter.tryAcquire(ALICE)).isFalse();
        assertThat(limiter.tryAcquire("bob123456@relay.example")).isTrue();
    }

    @Test
    void refusedAttemptsDoNotPushTheNextSlotFurther() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(60, 1, clock);
        assertThat(limiter.tryAcquire(ALICE)).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.tryAcquire(ALICE)).isFalse();
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire(ALICE)).isTrue();
    }

    @Test
    void configDefaultsGiveTenAtOnceThenOnePerSecond() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = RateLimiter.fromConfig(Config.builder("relay.example").build(), clock);
        int passed = 0;
        while (limiter.tryAcquire(ALICE)) {
            passed++;
        }
        assertThat(passed).isEqualTo(10);
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire(ALICE)).isTrue();
    }

    @Test
    void keysAtFullCapacityAreSweptSoMemoryStaysBounded() {
        MutableClock clock = new MutableClock();
        RateLimiter limiter = new RateLimiter(60, 10, clock, Duration.ofMinutes(1));
        for (int i = 0; i < 1000; i++) {
            limiter.tryAcquire("user" + i + "@relay.example");
        }
        assertThat(limiter.trackedSenders()).isEqualTo(1000);
        clock.advance(Duration.ofMinutes(1));
        limiter.tryAcquire(ALICE); // the lazy sweep runs on a call once the interval has passed
        assertThat(limiter.trackedSenders()).isEqualTo(1);

        limiter.tryAcquire("busy@relay.example");
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire("busy@relay.example");
        }
        clock.advance(Duration.ofSeconds(2));
        limiter.sweep();
        assertThat(limiter.trackedSenders()).as("a sender still below full capacity is kept").isEqualTo(1);
        // and its state survived the sweep: it is still limited
        assertThat(limiter.tryAcquire("busy@relay.example")).isTrue();
        assertThat(limiter.tryAcquire("busy@relay.example")).isTrue();
        assertThat(limiter.tryAcquire("busy@relay.example")).isFalse();
    }

    @Test
    void concurrentCallersNeverGetMoreThanTheBurst() throws Exception {
        MutableClock clock = new MutableClock();
        int burst = 50;
        RateLimiter limiter = new RateLimiter(60, burst, clock, Duration.ZERO);
        AtomicInteger passed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        if (limiter.tryAcquire(ALICE)) {
                            passed.incrementAndGet();
                        }
                        limiter.tryAcquire("other" + i + "@relay.example");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(passed.get()).isEqualTo(burst);
    }
}
