package chatmail.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SEC-1: at most 64 KiB of a body in memory, the rest in data_dir/tmp, nothing left behind. */
class BodySpoolTest {

    @TempDir
    Path dataDir;

    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("tmp"))) {
            return files.toList();
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    @Test
    void aSmallBodyStaysInMemoryAndTouchesNoFile() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        byte[] content = bytes(BodySpool.MEMORY_LIMIT);
        try (SpoolWriter writer = spool.newWriter(1 << 20)) {
            writer.write(content, 0, 10);
            writer.write(content, 10, content.length - 10);
            try (SpooledBody body = writer.finish()) {
                assertThat(body.file()).isEmpty();
                assertThat(body.inMemory()).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
                assertThat(body.size()).isEqualTo(content.length);
                assertThat(spoolFiles()).isEmpty();
            }
        }
    }

    @Test
    void aLargeBodyGoesToAPrivateFileThatClosingDeletes() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tmp"))))
                .isEqualTo("rwx------");
        byte[] content = bytes(3 * BodySpool.MEMORY_LIMIT + 17);
        SpooledBody body;
        try (SpoolWriter writer = spool.newWriter(1 << 20)) {
            for (int i = 0; i < content.length; i += 1000) {
                writer.write(content, i, Math.min(1000, content.length - i));
            }
            body = writer.finish();
        }
        assertThat(body.inMemory()).isEmpty();
        Path file = body.file().orElseThrow();
        assertThat(file.getParent()).isEqualTo(dataDir.resolve("tmp"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        try (var in = body.openStream()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(body.readAllBytes()).isEqualTo(content);
        body.close();
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIsCountedButNotKept() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        long max = 2L * BodySpool.MEMORY_LIMIT;
        try (SpoolWriter writer = spool.newWriter(max)) {
            byte[] chunk = bytes(50_000);
            writer.write(chunk);
            writer.write(chunk);
            assertThat(spoolFiles()).as("past 64 KiB the body is in a file").hasSize(1);
            writer.write(chunk);
            assertThat(writer.tooLarge()).isTrue();
            assertThat(spoolFiles()).as("the file goes as soon as the limit is passed").isEmpty();
            writer.write(chunk);
            assertThat(writer.size()).isEqualTo(200_000);
            assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
        }
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void exactlyTheLimitIsAccepted() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        try (SpoolWriter writer = spool.newWriter(100_000)) {
            writer.write(bytes(100_000));
            assertThat(writer.tooLarge()).isFalse();
            try (SpooledBody body = writer.finish()) {
                assertThat(body.size()).isEqualTo(100_000);
            }
        }
    }

    @Test
    void closingAWriterWithoutFinishingDiscardsTheBody() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        SpoolWriter writer = spool.newWriter(1 << 20);
        writer.write(bytes(BodySpool.MEMORY_LIMIT + 1));
        assertThat(spoolFiles()).hasSize(1);
        writer.close();
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void startUpDeletesWhatAPreviousRunLeftBehind() throws IOException {
        BodySpool spool = BodySpool.open(dataDir);
        SpoolWriter abandoned = spool.newWriter(1 << 20);
        abandoned.write(bytes(BodySpool.MEMORY_LIMIT * 2));
        abandoned.flush();
        Files.write(dataDir.resolve("tmp").resolve("body-leftover"), new byte[] {1, 2, 3});
        assertThat(spoolFiles()).hasSize(2);

        BodySpool.open(dataDir);

        assertThat(spoolFiles()).isEmpty();
        assertThat(Arrays.asList(dataDir.toFile().list())).contains("tmp");
    }
}
