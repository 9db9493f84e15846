package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {

    @Test
    void arrivals_complete_the_oldest_messages_of_that_recipient_first() {
        DeliveryTracker t = new DeliveryTracker(2);
        t.watching(0, 5);
        t.watching(1, 0);
        DeliveryTracker.InFlight first = t.expect(0);
        first.endOfData = 1_000;
        DeliveryTracker.InFlight second = t.expect(0);
        second.endOfData = 2_000;
        DeliveryTracker.InFlight other = t.expect(1);
        other.endOfData = 1_500;

        t.mailboxCount(0, 6, 10_000);

        assertThat(first.isDelivered()).isTrue();
        assertThat(first.deliveryNanos()).isEqualTo(9_000);
        assertThat(second.isDelivered()).isFalse();
        assertThat(other.isDelivered()).isFalse();

        // Dovecot may report two arrivals in one EXISTS.
        t.mailboxCount(1, 1, 20_000);
        t.mailboxCount(0, 6, 20_000);
        t.mailboxCount(0, 7, 30_000);
        assertThat(second.deliveryNanos()).isEqualTo(28_000);
        assertThat(other.deliveryNanos()).isEqualTo(18_500);
        assertThat(t.unexpected()).isZero();
    }

    @Test
    void arrivals_nobody_waits_for_are_counted_as_unexpected() {
        DeliveryTracker t = new DeliveryTracker(1);
        t.watching(0, 0);
        DeliveryTracker.InFlight f = t.expect(0);

        t.mailboxCount(0, 3, 100);

        assertThat(f.isDelivered()).isTrue();
        assertThat(t.unexpected()).isEqualTo(2);
    }

    @Test
    void an_arrival_before_the_end_of_data_was_noted_counts_as_zero_latency() {
        DeliveryTracker t = new DeliveryTracker(1);
        t.watching(0, 0);
        DeliveryTracker.InFlight f = t.expect(0);
        t.arrived(0, 1, 500);
        f.endOfData = 900;

        assertThat(f.deliveryNanos()).isZero();
    }

    @Test
    void senders_prefer_recipients_with_nothing_in_flight() {
        DeliveryTracker t = new DeliveryTracker(3);
        for (int r = 0; r < 3; r++) {
            t.watching(r, 0);
        }
        int a = t.pickRecipient();
        t.expect(a);
        int b = t.pickRecipient();
        t.expect(b);
        int c = t.pickRecipient();
        t.expect(c);

        assertThat(new int[] {a, b, c}).containsExactlyInAnyOrder(0, 1, 2);
        t.arrived(b, 1, 1);
        assertThat(t.pickRecipient()).isEqualTo(b);
    }

    @Test
    void draining_waits_for_the_last_arrival_or_refusal() throws Exception {
        DeliveryTracker t = new DeliveryTracker(1);
        t.watching(0, 0);
        DeliveryTracker.InFlight delivered = t.expect(0);
        DeliveryTracker.InFlight refused = t.expect(0);
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return t.awaitDrained(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        t.refused(refused);
        assertThat(drained).isNotDone();
        t.arrived(0, 1, 42);

        assertThat(drained.get()).isTrue();
        assertThat(delivered.isDelivered()).isTrue();
        assertThat(refused.isDelivered()).isFalse();
    }

    @Test
    void what_never_arrives_is_handed_back_when_abandoned() throws Exception {
        DeliveryTracker t = new DeliveryTracker(2);
        t.watching(0, 0);
        t.watching(1, 0);
        DeliveryTracker.InFlight f = t.expect(1);

        assertThat(t.awaitDrained(Duration.ofMillis(20))).isFalse();
        assertThat(t.abandonPending()).containsExactly(f);
        assertThat(t.awaitDrained(Duration.ZERO)).isTrue();
    }
}
