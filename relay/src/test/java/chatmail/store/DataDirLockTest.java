package chatmail.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.testing.ChildJvm;
import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One user of a data directory at a time: relay, import or restore (MIG-1, MIG-2). */
class DataDirLockTest {

    @TempDir
    Path dir;

    /** Holds the lock of args[0] as a "relay" until its stdin closes or it is killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]), "relay")) {
                System.out.println("LOCKED");
                System.out.flush();
                System.in.read();
            }
        }
    }

    @Test
    void aSecondHolderInTheSameProcessIsRefusedUntilTheFirstCloses() throws IOException {
        Path data = dir.resolve("data");
        try (DataDirLock first = DataDirLock.acquire(data, "import")) {
            assertThatThrownBy(() -> DataDirLock.acquire(data, "restore"))
                    .isInstanceOf(DataDirLock.HeldException.class)
                    .hasMessageContaining("in use by a running import (process " + ProcessHandle.current().pid() + ")");
            assertThat(DataDirLock.isHeld(data)).isTrue();
        }
        assertThat(DataDirLock.isHeld(data)).isFalse();
        DataDirLock.acquire(data, "restore").close();
    }

    @Test
    void anotherProcessHoldsItUntilItDiesWithoutCleaningUp() throws Exception {
        Path data = dir.resolve("data");
        Process child = new ProcessBuilder(ChildJvm.command(Holder.class, data.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(out.readLine()).isEqualTo("LOCKED");
            assertThatThrownBy(() -> DataDirLock.acquire(data, "import"))
                    .isInstanceOf(DataDirLock.HeldException.class)
                    .hasMessageContaining("a running relay (process " + child.pid() + ")");
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // SIGKILL leaves the file behind but not the lock.
        DataDirLock.acquire(data, "import").close();
    }

    @Test
    void aRunningRelayHoldsItsDataDirAndReleasesItWhenClosed() throws IOException {
        Path data = dir.resolve("relay");
        try (TestRelay relay = TestRelay.start(data)) {
            assertThat(DataDirLock.isHeld(data)).isTrue();
            assertThatThrownBy(() -> TestRelay.start(data))
                    .as("a second relay on the same data_dir does not start")
                    .isInstanceOf(DataDirLock.HeldException.class);
            assertThat(relay.relay().store().accountCount()).as("the first one still works").isZero();
        }
        assertThat(DataDirLock.isHeld(data)).isFalse();
    }
}
