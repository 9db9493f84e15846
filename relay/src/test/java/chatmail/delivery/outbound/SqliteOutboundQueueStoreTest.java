package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims and ids of the outbound queue on SQLite: what keeps one entry from two attempts at once. */
class SqliteOutboundQueueStoreTest {

    static final Instant T0 = Instant.parse("2025-11-26T08:00:00Z");
    static final byte[] MESSAGE = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aClaimedEntryIsNotDueForAnotherClaimUntilItsOutcomeIsRecordedOrTheClaimRunsOut() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            Instant until = T0.plus(Duration.ofMinutes(31));
            QueuedRecipient claimed = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, until).getFirst();
            QueuedRecipient free = store.add("a@x.org", List.of("c@z.org"), MESSAGE, T0, null).getFirst();

            assertThat(store.claimDue(T0, until, 10)).extracting(QueuedRecipient::id).containsExactly(free.id());
            assertThat(store.claimDue(T0, until, 10)).as("both claimed now").isEmpty();
            assertThat(store.nextDue()).as("due again when the claims run out").contains(until);
            assertThat(store.claimDue(until, until.plus(Duration.ofMinutes(31)), 10)).hasSize(2);

            store.retryAt(claimed.id(), 1, T0.plus(Duration.ofMinutes(1)), "451 4.3.0 later");
            assertThat(store.nextDue()).as("the outcome ends the claim").contains(T0.plus(Duration.ofMinutes(1)));
        }
    }

    @Test
    void claimsOfAnEarlierRunAreVoidAfterARestart() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, T0.plus(Duration.ofMinutes(31)));
            assertThat(store.claimDue(T0, T0.plus(Duration.ofMinutes(31)), 10)).isEmpty();
        }
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            assertThat(store.claimDue(T0, T0.plus(Duration.ofMinutes(31)), 10)).as("a crash left it claimed").hasSize(1);
        }
    }

    @Test
    void anIdIsNeverGivenAgainAfterItsEntryWentAway() {
        try (SqliteOutboundQueueStore store = SqliteOutboundQueueStore.open(dir)) {
            long first = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, null).getFirst().id();
            store.remove(List.of(first));
            long second = store.add("a@x.org", List.of("b@y.org"), MESSAGE, T0, null).getFirst().id();
            assertThat(second).as("an attempt that just ended may still hold %d", first).isGreaterThan(first);
        }
    }
}
