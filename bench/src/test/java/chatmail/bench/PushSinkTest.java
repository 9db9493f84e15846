package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushSinkTest {

    @TempDir
    Path dir;

    @Test
    void a_notification_between_the_dot_and_the_end_of_data_counts_for_the_message() throws Exception {
        try (PushSink sink = PushSink.start(dir.resolve("sink.pem"), 2)) {
            // The relay notified at 1,500, before the sender read its clock after the final write (2,000).
            sink.settle(PushSink.token(0), 1_500);
            sink.expect(0, 1_000, 2_000);

            assertThat(sink.missing()).isZero();
            LatencySamples latencies = sink.takeLatencies();
            assertThat(latencies.count()).isEqualTo(1);
            assertThat(latencies.max()).isZero();
        }
    }

    @Test
    void a_notification_before_the_dot_does_not_count_for_the_message() throws Exception {
        try (PushSink sink = PushSink.start(dir.resolve("sink.pem"), 2)) {
            sink.settle(PushSink.token(1), 900);
            sink.expect(1, 1_000, 2_000);
            assertThat(sink.missing()).isEqualTo(1);

            sink.settle(PushSink.token(1), 5_000);
            assertThat(sink.missing()).isZero();
            assertThat(sink.takeLatencies().max()).isEqualTo(3_000);
        }
    }

    @Test
    void a_notification_settles_every_message_before_it_whatever_order_they_were_accepted_in() throws Exception {
        try (PushSink sink = PushSink.start(dir.resolve("sink.pem"), 1)) {
            sink.expect(0, 3_000, 3_500);
            sink.expect(0, 1_000, 1_500);
            sink.settle(PushSink.token(0), 2_000);
            assertThat(sink.missing()).isEqualTo(1);
            assertThat(sink.takeLatencies().max()).isEqualTo(500);
        }
    }

    @Test
    void tokens_of_no_recipient_are_counted_apart() throws Exception {
        try (PushSink sink = PushSink.start(dir.resolve("sink.pem"), 1)) {
            sink.expect(0, 1_000, 2_000);
            sink.settle(PushSink.token(1), 5_000);
            sink.settle("someone-else", 5_000);
            assertThat(sink.unexpected()).isEqualTo(2);
            assertThat(sink.missing()).isEqualTo(1);
        }
    }
}
