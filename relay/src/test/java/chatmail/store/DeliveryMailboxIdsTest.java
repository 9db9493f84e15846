package chatmail.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A node's memory of delivery mailboxes (issues 16 and 17): bounded, looked up once. */
class DeliveryMailboxIdsTest {

    @Test
    void keepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        DeliveryMailboxIds ids = new DeliveryMailboxIds(3);
        ids.put(1, "INBOX", 11);
        ids.put(2, "INBOX", 21);
        ids.put(3, "INBOX", 31);
        assertThat(ids.get(1, "INBOX")).isEqualTo(OptionalLong.of(11));
        ids.put(4, "INBOX", 41);
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.get(2, "INBOX")).as("least recently used").isEmpty();
        assertThat(ids.get(1, "INBOX")).isEqualTo(OptionalLong.of(11));
        ids.put(1, "DeltaChat", 12);
        ids.forgetAccount(1);
        assertThat(ids.get(1, "INBOX")).isEmpty();
        assertThat(ids.get(1, "DeltaChat")).isEmpty();
        assertThat(ids.get(4, "INBOX")).isEqualTo(OptionalLong.of(41));
    }

    @Test
    void looksAMailboxUpOnlyUntilItKnowsIt() {
        DeliveryMailboxIds ids = new DeliveryMailboxIds(3);
        AtomicInteger lookUps = new AtomicInteger();

        assertThat(ids.id(7, "INBOX", () -> 70 + lookUps.incrementAndGet())).isEqualTo(71);
        assertThat(ids.id(7, "INBOX", () -> 70 + lookUps.incrementAndGet())).isEqualTo(71);
        assertThat(lookUps).hasValue(1);

        ids.forgetAccount(7);
        assertThat(ids.id(7, "INBOX", () -> 70 + lookUps.incrementAndGet())).isEqualTo(72);
    }
}
