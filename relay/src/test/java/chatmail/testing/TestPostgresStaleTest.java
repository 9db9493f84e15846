package chatmail.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A test JVM killed before its shutdown hook leaves its PostgreSQL running: the next start stops
 * and removes instances whose JVM is gone (or whose pid now names another process), and leaves
 * those of JVMs that still run.
 */
class TestPostgresStaleTest {
    private Path root;

    @BeforeEach
    void makeRoot() throws Exception {
        // Not @TempDir: the postgres user must traverse it.
        root = Files.createTempDirectory(TestPostgres.TEMP, "chatmail-pgstale-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeRoot() throws Exception {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void anInstanceWhoseJvmIsGoneIsStoppedAndRemovedAndOneOfALiveJvmIsLeft() throws Exception {
        if (!Files.isExecutable(TestPostgres.BIN.resolve("initdb"))) {
            throw MissingProgram.report("PostgreSQL 15 is not installed: run scripts/install-test-deps");
        }
        TestPostgres orphan = TestPostgres.start(root);
        long postmaster = Long.parseLong(Files.readAllLines(orphan.base().resolve("data/postmaster.pid")).getFirst().strip());
        ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
        assertThat(server.isAlive()).isTrue();
        // Its owner, as a killed test JVM would be: a process that ran and is gone.
        Process gone = new ProcessBuilder("sleep", "600").start();
        String goneOwner = TestPostgres.owner(gone.toHandle());
        gone.destroyForcibly();
        assertThat(gone.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.writeString(orphan.base().resolve(TestPostgres.OWNER), goneOwner, StandardCharsets.US_ASCII);

        // The same pid as this JVM but another start time: the pid was reused, the owner is gone.
        Path reused = Files.createDirectory(root.resolve(TestPostgres.PREFIX + "reused"));
        Files.writeString(reused.resolve(TestPostgres.OWNER), ProcessHandle.current().pid() + " 1\n");
        Path live = Files.createDirectory(root.resolve(TestPostgres.PREFIX + "live"));
        Files.writeString(live.resolve(TestPostgres.OWNER), TestPostgres.owner(ProcessHandle.current()));
        Path unmarked = Files.createDirectory(root.resolve(TestPostgres.PREFIX + "unmarked"));

        TestPostgres.removeStale(root);

        server.onExit().get(60, TimeUnit.SECONDS);
        assertThat(server.isAlive()).isFalse();
        assertThat(orphan.base()).doesNotExist();
        assertThat(reused).doesNotExist();
        assertThat(live).exists();
        assertThat(unmarked).exists();
    }
}
