package chatmail.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SEC-2: a bounded pool, and one client never holds more than one of its threads. */
class HashingPoolTest {

    @Test
    void aClientsSecondHashWaitsForItsFirstWhileAnotherClientsRuns() throws Exception {
        try (HashingPool pool = new HashingPool(2)) {
            CountDownLatch firstRunning = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            AtomicInteger runningForA = new AtomicInteger();
            AtomicInteger mostForA = new AtomicInteger();
            CompletableFuture<String> a1 = CompletableFuture.supplyAsync(() -> pool.run("a", () -> {
                mostForA.accumulateAndGet(runningForA.incrementAndGet(), Math::max);
                firstRunning.countDown();
                releaseFirst.await();
                runningForA.decrementAndGet();
                return "a1";
            }));
            assertThat(firstRunning.await(20, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> a2 = CompletableFuture.supplyAsync(() -> pool.run("a", () -> {
                mostForA.accumulateAndGet(runningForA.incrementAndGet(), Math::max);
                runningForA.decrementAndGet();
                return "a2";
            }));
            // The pool has a free thread, but it is client b's to take: a2 waits for a1.
            assertThat(pool.run("b", () -> "b")).isEqualTo("b");
            assertThat(a2).isNotDone();
            assertThat(pool.waiting()).as("a2 waits for its client's slot, not in the pool's queue").isZero();
            releaseFirst.countDown();
            assertThat(a1.get(20, TimeUnit.SECONDS)).isEqualTo("a1");
            assertThat(a2.get(20, TimeUnit.SECONDS)).isEqualTo("a2");
            assertThat(mostForA).hasValue(1);
            assertThat(pool.computed()).isEqualTo(3);
        }
    }

    @Test
    void thePoolLeavesACoreFree() {
        try (HashingPool pool = HashingPool.forThisMachine()) {
            assertThat(pool.threads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        }
    }
}
