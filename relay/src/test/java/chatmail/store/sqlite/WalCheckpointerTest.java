package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the writer checkpoints itself and when background writes wait, from what the background checkpoints found. */
class WalCheckpointerTest {
    private static final long LARGE = WalCheckpointer.RESTART_FRAMES;

    @TempDir
    Path dir;

    private WalCheckpointer checkpointer;

    @BeforeEach
    void open() throws Exception {
        // Never started: the test reports the background checkpoints' results itself.
        checkpointer = new WalCheckpointer(new SqliteDatabase(dir, SqliteStoreSettings.defaults()).openCheckpointer(),
                Duration.ofHours(1));
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
    }

    @Test
    void aLargeWalWithFramesLeftHoldsBackgroundWritesAndTheWriterWaitsForTheBackgroundThread() {
        checkpointer.checkpointed(LARGE + 1000, LARGE / 2);

        assertThat(checkpointer.walBehind()).isTrue();
        assertThat(checkpointer.restartDue()).as("it would copy what the background thread left").isFalse();
    }

    @Test
    void onceTheBackgroundThreadCaughtUpTheWriterCheckpointsOncePerBackgroundCheckpoint() {
        checkpointer.checkpointed(LARGE + 1000, LARGE + 1000 - WalCheckpointer.CAUGHT_UP_FRAMES);

        assertThat(checkpointer.walBehind()).isTrue();
        assertThat(checkpointer.restartDue()).isTrue();
        assertThat(checkpointer.restartDue()).as("nothing new learned since").isFalse();
    }

    @Test
    void everythingCopiedLetsBackgroundWritesStartTheWalOver() {
        checkpointer.checkpointed(LARGE + 1000, LARGE + 1000);

        assertThat(checkpointer.walBehind()).isFalse();
    }

    @Test
    void pastFourTimesTheThresholdTheWriterCheckpointsAnyway() {
        checkpointer.checkpointed(4 * LARGE, 0);

        assertThat(checkpointer.restartDue()).isTrue();
    }
}
