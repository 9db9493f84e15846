package chatmail.spool;

import chatmail.store.InMemoryBodyStream;
import chatmail.store.MessageBody;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A body that arrived completely: in memory when small, else in its spool file. Closing it
 * deletes the file, unless the store has renamed it into place by then.
 */
public final class SpooledBody implements MessageBody, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpooledBody.class);
    private static final int READ_BUFFER = 16 * 1024;

    private final byte[] bytes;
    private final Path file;
    private final long size;

    SpooledBody(byte[] bytes, Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openStream() throws IOException {
        if (bytes != null) {
            return new InMemoryBodyStream(bytes);
        }
        return new BufferedInputStream(Files.newInputStream(file), READ_BUFFER);
    }

    @Override
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    @Override
    public Optional<byte[]> inMemory() {
        return Optional.ofNullable(bytes);
    }

    @Override
    public void close() {
        if (file != null) {
            deleteQuietly(file);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Start-up cleaning removes it at the latest.
            log.warn("could not delete spool file {}: {}", file.getFileName(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "SpooledBody[" + size + " bytes" + (file == null ? " in memory" : " in a file") + "]";
    }
}
