package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the writer checkpoints itself and when background writes wait, from what the checkpoints found. */
class WalCheckpointerTest {
    private static final long LARGE = WalCheckpointer.RESTART_FRAMES;
    private static final Duration INTERVAL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private WalCheckpointer checkpointer;

    @BeforeEach
    void open() throws Exception {
        // Never started: the test reports the background checkpoints' results itself.
        checkpointer = new WalCheckpointer(new SqliteDatabase(dir, SqliteStoreSettings.defaults()).openCheckpointer(),
                INTERVAL);
    }

    @AfterEach
    void close() throws Exception {
        checkpointer.close();
    }

    @Test
    void aSmallWalHoldsNothingBack() {
        checkpointer.checkpointed(LARGE - 1, 0);

        assertThat(checkpointer.walBehind()).isFalse();
        assertThat(checkpointer.restartDue()).isFalse();
        assertThat(checkpointer.nextInterval()).isEqualTo(INTERVAL);
    }

    @Test
    void aLargeWalWithFramesLeftHoldsBackgroundWritesAndTheWriterWaitsForTheBackgroundThread() {
        checkpointer.checkpointed(LARGE + 1000, LARGE / 2);

        assertThat(checkpointer.walBehind()).isTrue();
        assertThat(checkpointer.restartDue()).as("it would copy what the background thread left").isFalse();
        assertThat(checkpointer.nextInterval()).as("the background thread looks again soon")
                .isEqualTo(WalCheckpointer.BEHIND_INTERVAL);
    }

    @Test
    void onceTheBackgroundThreadCaughtUpTheWriterCheckpointsOncePerBackgroundCheckpoint() {
        checkpointer.checkpointed(LARGE + 1000, LARGE + 1000 - WalCheckpointer.CAUGHT_UP_FRAMES);

        assertThat(checkpointer.walBehind()).isTrue();
        assertThat(checkpointer.restartDue()).isTrue();
        assertThat(checkpointer.restartDue()).as("nothing new learned since").isFalse();

        checkpointer.checkpointed(LARGE + 1010, LARGE + 1005);
        assertThat(checkpointer.restartDue()).as("the next background checkpoint, not 100 ms later").isTrue();
    }

    @Test
    void everythingCopiedByTheBackgroundThreadStillHoldsBackgroundWritesUntilTheWalStartsOver() {
        // With a few hundred commits a second the next write is almost never the one that starts it over.
        checkpointer.checkpointed(LARGE + 1000, LARGE + 1000);

        assertThat(checkpointer.walBehind()).isTrue();

        checkpointer.checkpointed(300, 300);
        assertThat(checkpointer.walBehind()).as("started over").isFalse();
        assertThat(checkpointer.nextInterval()).isEqualTo(INTERVAL);
    }

    @Test
    void theWritersCompleteCheckpointReleasesBackgroundWritesAtOnce() {
        checkpointer.checkpointed(LARGE + 1000, LARGE + 990);
        assertThat(checkpointer.restartDue()).isTrue();

        checkpointer.writerCheckpointed(LARGE + 1002, LARGE + 1000);
        assertThat(checkpointer.walBehind()).as("a read kept frames back: the WAL cannot start over yet").isTrue();

        checkpointer.writerCheckpointed(LARGE + 1002, LARGE + 1002);
        assertThat(checkpointer.walBehind()).isFalse();
        assertThat(checkpointer.restartDue()).isFalse();
    }

    @Test
    void pastFourTimesTheThresholdTheWriterCheckpointsAnyway() {
        checkpointer.checkpointed(4 * LARGE, 0);

        assertThat(checkpointer.restartDue()).isTrue();
    }
}
