package chatmail.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A message's raw bytes as the store receives them: a spool file or a stream (SPEC SEC-1). Small
 * bodies are held in memory; large ones live in a file that the store may take over by renaming
 * it into place when it is on the same file system, so the bytes are written once. A backend
 * that keeps bodies elsewhere (a database) reads {@link #openStream()}.
 */
public interface MessageBody {

    /** The number of bytes. */
    long size();

    /** A fresh stream over all bytes, from the first; the caller closes it. */
    InputStream openStream() throws IOException;

    /**
     * The file holding exactly these bytes, when the body was spooled to disk. The store may
     * rename it into its own place; after that the body must not be read again.
     */
    default Optional<Path> file() {
        return Optional.empty();
    }

    /** The bytes in memory, when the body is held there (no file), else empty. */
    default Optional<byte[]> inMemory() {
        return Optional.empty();
    }

    /** All bytes as an array, for small bodies and tests; large bodies should be streamed. */
    default byte[] readAllBytes() throws IOException {
        Optional<byte[]> held = inMemory();
        if (held.isPresent()) {
            return held.get();
        }
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }

    /** A body held in memory. The array is not copied and must not change afterwards. */
    static MessageBody of(byte[] bytes) {
        return new InMemory(bytes);
    }

    /** The bytes of a body that lives in memory. */
    record InMemory(byte[] bytes) implements MessageBody {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream openStream() {
            return new InMemoryBodyStream(bytes);
        }

        @Override
        public Optional<byte[]> inMemory() {
            return Optional.of(bytes);
        }

        @Override
        public String toString() {
            return "MessageBody[" + bytes.length + " bytes in memory]";
        }
    }
}
