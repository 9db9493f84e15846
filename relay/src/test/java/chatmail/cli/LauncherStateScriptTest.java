package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/launcher-state.sh}: the launcher's fast path may skip the JDK search and the
 * build check only when nothing it depends on changed. Every way a source can change must make
 * the record stale, also those a "newer than the jar" check misses.
 */
class LauncherStateScriptTest {

    private static final Path SCRIPT = chatmail.testing.ProjectDir.resolve("scripts/launcher-state.sh");
    private static final String ENV = "JAVA_HOME=/jdk CHATMAIL_JVM_DIRS= java=/usr/bin/java";

    @TempDir
    Path dir;

    private Path sources;
    private Path source;
    private Path state;

    @BeforeEach
    void tree() throws Exception {
        sources = Files.createDirectories(dir.resolve("src/main/java/chatmail"));
        source = Files.writeString(sources.resolve("Relay.java"), "class Relay {}\n");
        Files.writeString(sources.resolve("Other.java"), "class Other {}\n");
        state = dir.resolve("state");
        record();
        assertThat(fresh(ENV, "v1")).as("right after recording").isTrue();
    }

    @Test
    void anUnchangedTreeIsFreshAndGivesBackTheRecordedJdk() throws Exception {
        Result r = bash(". \"$1\"; chatmail_state_fresh \"$2\" \"$3\" v1 && printf '%s|%s' \"$JAVA\" \"$JAVA_HOME\"",
                SCRIPT.toString(), state.toString(), ENV);

        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEqualTo("/jdk/bin/java|/jdk");
    }

    @Test
    void aFileEditedInPlaceIsSeenAlthoughItsDirectoryDidNotChange() throws Exception {
        FileTime dirTime = Files.getLastModifiedTime(sources);
        Files.writeString(source, "// edited\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(Files.getLastModifiedTime(sources)).as("appending leaves the directory alone").isEqualTo(dirTime);
        assertThat(fresh(ENV, "v1")).isFalse();
    }

    @Test
    void anEditOfTheSameSizeWithTheOldTimeSetBackIsSeen() throws Exception {
        FileTime before = Files.getLastModifiedTime(source);
        Files.writeString(source, "class Relax {}\n");
        Files.setLastModifiedTime(source, before);

        assertThat(Files.size(source)).isEqualTo("class Relay {}\n".length());
        assertThat(fresh(ENV, "v1")).as("ctime moved although size and mtime are the old ones").isFalse();
    }

    @Test
    void aNewFileADeletedFileAndANewDirectoryAreSeen() throws Exception {
        Files.writeString(sources.resolve("New.java"), "class New {}\n");
        assertThat(fresh(ENV, "v1")).as("new file").isFalse();

        record();
        Files.delete(sources.resolve("Other.java"));
        assertThat(fresh(ENV, "v1")).as("deleted file").isFalse();

        record();
        Files.createDirectories(sources.resolve("sub"));
        assertThat(fresh(ENV, "v1")).as("new directory").isFalse();
    }

    @Test
    void anotherEnvironmentOrRecordFormatIsNotFresh() throws Exception {
        assertThat(fresh("JAVA_HOME=/other CHATMAIL_JVM_DIRS= java=/usr/bin/java", "v1")).as("other JAVA_HOME").isFalse();
        assertThat(fresh(ENV, "v2")).as("other record format").isFalse();
    }

    @Test
    void aMissingOrDamagedRecordIsNotFresh() throws Exception {
        Files.writeString(state.resolve("stat"), "garbage\n");
        assertThat(fresh(ENV, "v1")).isFalse();

        Files.delete(state.resolve("record"));
        assertThat(fresh(ENV, "v1")).isFalse();
    }

    // ---- helpers

    /** Records the tree the way the launcher does: list every file and directory, stat them, write. */
    private void record() throws Exception {
        Result r = bash("""
                . "$1"
                JAVA=/jdk/bin/java; JAVA_HOME=/jdk
                files=$(mktemp); snapshot=$(mktemp)
                find "$3" > "$files"
                mapfile -t list < "$files"
                chatmail_state_snapshot "${list[@]}" > "$snapshot"
                chatmail_state_write "$2" "$4" v1 "$files" "$snapshot"
                """, SCRIPT.toString(), state.toString(), dir.resolve("src").toString(), ENV);
        assertThat(r.exit()).as("stderr: %s", r.stderr()).isZero();
        assertThat(state.resolve("record")).isRegularFile();
    }

    private boolean fresh(String env, String flag) throws Exception {
        Result r = bash(". \"$1\"; chatmail_state_fresh \"$2\" \"$3\" \"$4\"", SCRIPT.toString(), state.toString(), env, flag);
        assertThat(r.exit()).as("stderr: %s", r.stderr()).isIn(0, 1);
        return r.exit() == 0;
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result bash(String script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/bash", "-c", script, "bash"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bash finishes").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
