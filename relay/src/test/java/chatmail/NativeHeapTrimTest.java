package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The native heap is trimmed only over an interval in which the relay was quiet. */
class NativeHeapTrimTest {
    private static final long INTERVAL_NANOS = NativeHeapTrim.INTERVAL.toNanos();

    private final AtomicLong cpu = new AtomicLong(1_000_000_000L);
    private final AtomicInteger trims = new AtomicInteger();
    private final NativeHeapTrim trim = new NativeHeapTrim(cpu::get, trims::incrementAndGet);

    @Test
    void trimsAfterAQuietInterval() {
        cpu.addAndGet(INTERVAL_NANOS / 100);

        assertThat(trim.tick(INTERVAL_NANOS)).isTrue();
        assertThat(trims).hasValue(1);
    }

    @Test
    void trimsAtTheBusyShare() {
        cpu.addAndGet((long) (NativeHeapTrim.BUSY_CPU_SHARE * INTERVAL_NANOS));

        assertThat(trim.tick(INTERVAL_NANOS)).isTrue();
        assertThat(trims).hasValue(1);
    }

    @Test
    void leavesTheHeapAloneUnderLoadAndTrimsOnceQuietAgain() {
        cpu.addAndGet((long) (NativeHeapTrim.BUSY_CPU_SHARE * INTERVAL_NANOS) + 1);
        assertThat(trim.tick(INTERVAL_NANOS)).isFalse();
        // Two CPUs busy: more CPU time than wall-clock time.
        cpu.addAndGet(2 * INTERVAL_NANOS);
        assertThat(trim.tick(INTERVAL_NANOS)).isFalse();
        assertThat(trims).hasValue(0);

        cpu.addAndGet(INTERVAL_NANOS / 50);
        assertThat(trim.tick(INTERVAL_NANOS)).isTrue();
        assertThat(trims).hasValue(1);
    }

    @Test
    void theBusyShareIsOfTheTimeThatPassed() {
        // A late tick (a stalled thread) with the same CPU time is quieter than an on-time one.
        cpu.addAndGet(INTERVAL_NANOS / 2);

        assertThat(trim.tick(4 * INTERVAL_NANOS)).isTrue();
        assertThat(trims).hasValue(1);
    }

    @Test
    void glibcsTrimIsFoundAndRuns() {
        Runnable mallocTrim = NativeHeapTrim.mallocTrim().orElseThrow();

        mallocTrim.run();
    }

    @Test
    void aStopEndsTheTrimmingThread() throws InterruptedException {
        Thread warmUp = Thread.ofVirtual().start(() -> { });
        Thread trimming = NativeHeapTrim.startAfter(warmUp);

        trimming.interrupt();
        trimming.join();

        assertThat(trimming.isAlive()).isFalse();
    }
}
