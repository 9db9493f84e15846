package chatmail.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Takes one body as it arrives: up to {@link BodySpool#MEMORY_LIMIT} bytes in memory, and once
 * there are more, all of it in a spool file (mode 0600) written as the bytes come. Nothing is
 * sized from what a client announced: the memory buffer grows with the bytes actually written.
 *
 * <p>Past {@code maxSize} the writer keeps counting but keeps nothing, and deletes its file at
 * once, so a client that sends too much costs no disk either. {@link #finish()} hands the body
 * over; {@link #close()} without {@code finish} discards it. One writer per body, one thread.
 */
public final class SpoolWriter extends OutputStream {

    private static final int FILE_BUFFER = 16 * 1024;

    private final Path directory;
    private final long maxSize;
    private byte[] memory;
    private long size;
    private Path file;
    private OutputStream fileOut;
    private boolean tooLarge;
    private boolean done;

    SpoolWriter(Path directory, long maxSize, long knownSize) {
        this.directory = directory;
        this.maxSize = maxSize;
        this.memory = new byte[knownSize > 1024 && knownSize <= BodySpool.MEMORY_LIMIT ? (int) knownSize : 1024];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (done) {
            throw new IOException("spool writer already finished");
        }
        if (len <= 0) {
            return;
        }
        long after = size + len;
        if (tooLarge || after > maxSize) {
            size = after;
            if (!tooLarge) {
                tooLarge = true;
                discardFile();
                memory = null;
            }
            return;
        }
        if (fileOut == null && after <= BodySpool.MEMORY_LIMIT) {
            if (after > memory.length) {
                memory = Arrays.copyOf(memory, (int) Math.min(BodySpool.MEMORY_LIMIT, Math.max(after, 2L * memory.length)));
            }
            System.arraycopy(b, off, memory, (int) size, len);
        } else {
            if (fileOut == null) {
                openFile();
            }
            fileOut.write(b, off, len);
        }
        size = after;
    }

    private void openFile() throws IOException {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        file = directory.resolve(BodySpool.PREFIX + HexFormat.of().formatHex(id));
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            fileOut = Channels.newOutputStream(Files.newByteChannel(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
        } catch (UnsupportedOperationException notPosix) {
            fileOut = Channels.newOutputStream(Files.newByteChannel(file, options));
        }
        fileOut = new BufferedOutputStream(fileOut, FILE_BUFFER);
        fileOut.write(memory, 0, (int) size);
        memory = null;
    }

    /** Bytes written so far, including those beyond the limit. */
    public long size() {
        return size;
    }

    /** True once more than {@code maxSize} bytes were written; nothing is kept then. */
    public boolean tooLarge() {
        return tooLarge;
    }

    /**
     * Hands the body over. The caller owns the result and closes it when done, which deletes the
     * file unless the store took it over.
     *
     * @throws IllegalStateException when the body was too large
     */
    public SpooledBody finish() throws IOException {
        if (tooLarge) {
            throw new IllegalStateException("body exceeded " + maxSize + " bytes");
        }
        if (done) {
            throw new IllegalStateException("already finished");
        }
        done = true;
        if (fileOut == null) {
            byte[] bytes = memory.length == size ? memory : Arrays.copyOf(memory, (int) size);
            memory = null;
            return new SpooledBody(bytes, null, size);
        }
        try {
            fileOut.close();
        } catch (IOException e) {
            discardFile();
            throw e;
        }
        fileOut = null;
        return new SpooledBody(null, file, size);
    }

    /** Discards the body unless {@link #finish()} handed it over. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            memory = null;
            discardFile();
        }
    }

    private void discardFile() {
        if (fileOut != null) {
            try {
                fileOut.close();
            } catch (IOException ignored) {
                // deleting it anyway
            }
            fileOut = null;
        }
        if (file != null) {
            SpooledBody.deleteQuietly(file);
            file = null;
        }
    }
}
