package chatmail.testing;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/** Awaits a directory's file count (spool files appearing, going) through file system events, not polling. */
public final class DirectoryWatch {
    private DirectoryWatch() {}

    /** Returns once {@code condition} holds for the number of entries of {@code dir}; fails after {@code deadline}. */
    public static void await(Path dir, LongPredicate condition, Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            while (!condition.test(count(dir))) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("directory " + dir + " never reached the expected state; entries: " + count(dir));
                }
                var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    public static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
