package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The collection after the warm-up runs only while little of the heap is in use. */
class StartUpGarbageTest {

    @Test
    void collectsWhenLittleIsInUse() {
        AtomicInteger collections = new AtomicInteger();
        StartUpGarbage garbage = new StartUpGarbage(() -> 10L * 1024 * 1024, collections::incrementAndGet);

        assertThat(garbage.collect()).isTrue();
        assertThat(collections).hasValue(1);
    }

    @Test
    void collectsAtTheLimit() {
        AtomicInteger collections = new AtomicInteger();
        StartUpGarbage garbage = new StartUpGarbage(() -> StartUpGarbage.MAX_USED_BYTES, collections::incrementAndGet);

        assertThat(garbage.collect()).isTrue();
        assertThat(collections).hasValue(1);
    }

    @Test
    void leavesABusyHeapToTheCollector() {
        AtomicInteger collections = new AtomicInteger();
        StartUpGarbage garbage = new StartUpGarbage(() -> StartUpGarbage.MAX_USED_BYTES + 1, collections::incrementAndGet);

        assertThat(garbage.collect()).isFalse();
        assertThat(collections).hasValue(0);
    }
}
