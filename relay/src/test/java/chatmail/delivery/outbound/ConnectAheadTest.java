package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** Preparing destinations while their messages arrive: bounded per domain and in all. */
class ConnectAheadTest {

    @Test
    void oneAtATimePerDomainAndAtMostEightAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Semaphore entered = new Semaphore(0);
        List<String> prepared = new CopyOnWriteArrayList<>();
        ConnectAhead ahead = new ConnectAhead(domain -> {
            prepared.add(domain);
            entered.release();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(ahead.recipientAt("a.test")).isTrue();
        assertThat(ahead.recipientAt("a.test")).as("being prepared already").isFalse();
        for (int i = 1; i < ConnectAhead.MAX_IN_FLIGHT; i++) {
            assertThat(ahead.recipientAt("d" + i + ".test")).isTrue();
        }
        assertThat(ahead.recipientAt("one-too-many.test")).isFalse();
        entered.acquire(ConnectAhead.MAX_IN_FLIGHT);
        release.countDown();
        assertThat(prepared).hasSize(ConnectAhead.MAX_IN_FLIGHT).containsOnlyOnce("a.test")
                .doesNotContain("one-too-many.test");
    }
}
