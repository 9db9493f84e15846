package chatmail.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Awaits a state of a directory (spool files appearing, growing, going) through file system
 * events, not polling.
 */
public final class DirectoryWatch {
    private DirectoryWatch() {}

    /** Returns once {@code condition} holds for the number of entries of {@code dir}; fails after {@code deadline}. */
    public static void await(Path dir, LongPredicate condition, Duration deadline) throws IOException, InterruptedException {
        awaitFiles(dir, files -> condition.test(files.size()), deadline);
    }

    /** Returns once {@code condition} holds for the entries of {@code dir}; fails after {@code deadline}. */
    public static void awaitFiles(Path dir, Predicate<List<Path>> condition, Duration deadline)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            while (!condition.test(list(dir))) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("directory " + dir + " never reached the expected state; entries: " + list(dir));
                }
                var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    public static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** A file's size, 0 when it is gone. */
    public static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.nio.file.NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
