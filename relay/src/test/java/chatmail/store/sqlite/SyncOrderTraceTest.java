package chatmail.store.sqlite;

import chatmail.testing.MissingProgram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import chatmail.store.sqlite.StraceLog.Call;
import chatmail.testing.ChildJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence from the system calls that a large message's body file is durable, data and
 * directory entry, before the SQLite commit that references it: otherwise a crash could leave
 * a committed row pointing at a missing or empty file. The body arrives spooled, and its spool
 * file is what is synced and renamed into place.
 */
class SyncOrderTraceTest {
    private static final long CHILD_DEADLINE_SECONDS = 180;
    private static final List<String> SYNCS = List.of("fsync", "fdatasync");
    private static final Pattern CHECKPOINT_THREAD = Pattern.compile("CHECKPOINT-THREAD (\\d+)");

    @TempDir
    Path dir;

    @Test
    void bodyFileAndItsDirectoryAreSyncedBeforeTheCommitThatReferencesThem() throws Exception {
        Path strace = strace();
        Path dataDir = dir.resolve("data");
        Path markers = Files.createDirectories(dir.resolve("markers"));
        Path trace = dir.resolve("trace.txt");
        List<String> command = new ArrayList<>(List.of(strace.toString(), "-f", "-qq", "-s", "256",
                "-e", "trace=open,openat,fsync,fdatasync,rename,renameat,renameat2", "-o", trace.toString()));
        command.addAll(ChildJvm.command(DeliveryChild.class, "marked", dataDir.toString(), markers.toString()));
        Process child = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("child-stdout.txt").toFile())
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        if (!child.waitFor(CHILD_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            fail("traced child did not finish in " + CHILD_DEADLINE_SECONDS + " s");
        }
        assertThat(child.exitValue()).as("child exit; stderr: %s", Files.readString(dir.resolve("child-stderr.txt")))
                .isZero();
        String childOut = Files.readString(dir.resolve("child-stdout.txt"));
        assertThat(childOut).contains("ACK 1 ");
        Matcher checkpointThread = CHECKPOINT_THREAD.matcher(childOut);
        assertThat(checkpointThread.find()).as("the child names its checkpoint thread: %s", childOut).isTrue();
        long checkpointer = Long.parseLong(checkpointThread.group(1));

        List<Call> calls = StraceLog.parse(Files.readAllLines(trace, StandardCharsets.UTF_8));
        Call before = opening(calls, markers.resolve("marker-before"));
        Call after = opening(calls, markers.resolve("marker-after"));
        List<Call> window = calls.stream().filter(c -> c.start() > before.end() && c.end() < after.start()).toList();

        Path blobs = dataDir.resolve("blobs");
        List<Call> bodyRenames = window.stream()
                .filter(c -> c.name().startsWith("rename") && c.succeeded())
                .filter(c -> c.target() != null && Path.of(c.target()).startsWith(blobs))
                .toList();
        assertThat(bodyRenames).as("the body file is renamed into place once").hasSize(1);
        Call rename = bodyRenames.getFirst();
        Path temp = Path.of(rename.path());
        assertThat(temp.getParent()).as("the spool file itself is renamed into place (SEC-1: no copy)")
                .isEqualTo(dataDir.resolve("tmp"));
        Path bodyDir = Path.of(rename.target()).getParent();

        Call fileSync = window.stream()
                .filter(c -> SYNCS.contains(c.name()) && c.succeeded() && temp.toString().equals(c.path()))
                .findFirst().orElseThrow(() -> new AssertionError("no fsync of the body file " + temp));
        assertThat(fileSync.end()).as("body data synced before the rename").isLessThan(rename.start());

        Call dirSync = window.stream()
                .filter(c -> c.name().equals("fsync") && c.succeeded() && bodyDir.toString().equals(c.path()))
                .filter(c -> c.start() > rename.end())
                .findFirst().orElseThrow(() -> new AssertionError("no fsync of " + bodyDir + " after the rename"));

        String database = dataDir.resolve(SqliteDatabase.FILE_NAME).toString();
        // The background checkpoint copies earlier commits into the database file whenever its
        // interval ends, possibly inside the window; its syncs are not this delivery's commit.
        List<Call> databaseSyncs = window.stream()
                .filter(c -> c.thread() != checkpointer)
                .filter(c -> SYNCS.contains(c.name()) && c.path() != null)
                .filter(c -> c.path().equals(database) || c.path().equals(database + "-wal"))
                .toList();
        assertThat(databaseSyncs).as("synchronous=FULL syncs the WAL at commit").isNotEmpty()
                .anyMatch(c -> c.path().endsWith("-wal"));
        assertThat(databaseSyncs).as("every database sync of this delivery comes after the body's directory sync")
                .allMatch(c -> c.start() > dirSync.end());
    }

    private static Call opening(List<Call> calls, Path file) {
        return calls.stream().filter(c -> c.name().startsWith("open") && file.toString().equals(c.path()))
                .findFirst().orElseThrow(() -> new AssertionError("trace lacks the opening of " + file));
    }

    /** strace from PATH; missing fails the test on CI and skips it, saying so, elsewhere. */
    private static Path strace() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "strace"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty()) {
            String message = "strace is not installed (Debian package strace; scripts/install-test-deps installs it)";
            throw MissingProgram.report(message);
        }
        return found.get();
    }
}
