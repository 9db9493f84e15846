package chatmail.spool;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where message bodies wait while they arrive and are checked (SPEC SEC-1): {@code data_dir/tmp}.
 * The first {@link #MEMORY_LIMIT} bytes of a body stay in memory, the rest goes to a file here as
 * it arrives. The directory is inside {@code data_dir}, on the store's file system, so the store
 * takes an accepted body over by renaming its file instead of copying it.
 *
 * <p>A spool file belongs to the session that writes it and is deleted when that session is done
 * with the body; files left behind by a crash are deleted when the relay starts.
 */
public final class BodySpool {

    private static final Logger log = LoggerFactory.getLogger(BodySpool.class);

    /** Bytes of one body held in memory before it goes to a file. */
    public static final int MEMORY_LIMIT = 64 * 1024;

    static final String PREFIX = "body-";

    private final Path directory;

    private BodySpool(Path directory) {
        this.directory = directory;
    }

    /**
     * Opens {@code data_dir/tmp}, creating it (mode 0700) when missing and deleting every file a
     * previous run left there. Call once per data directory, before any session runs.
     */
    public static BodySpool open(Path dataDir) {
        Path dir = dataDir.resolve("tmp");
        try {
            if (!Files.isDirectory(dir)) {
                PrivateFiles.createDirectories(dir);
            }
            int removed = 0;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    if (Files.isRegularFile(file) && Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
            }
            if (removed > 0) {
                log.info("removed {} spool file(s) left by the previous run", removed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the spool directory " + dir + ": " + e.getMessage(), e);
        }
        return new BodySpool(dir);
    }

    /**
     * A writer for one body. Bytes beyond {@code maxSize} are counted but not kept: the writer
     * then reports {@link SpoolWriter#tooLarge()} and its file is already gone.
     */
    public SpoolWriter newWriter(long maxSize) {
        return new SpoolWriter(directory, maxSize, 0);
    }

    /**
     * As {@link #newWriter(long)}, for a body whose size the relay knows already (a rewrite of
     * one it holds): memory for that much is taken at once rather than grown by copies. Never
     * for a size a client announced (SEC-1).
     */
    public SpoolWriter newWriter(long maxSize, long knownSize) {
        return new SpoolWriter(directory, maxSize, knownSize);
    }

    /** {@code data_dir/tmp}. */
    public Path directory() {
        return directory;
    }
}
