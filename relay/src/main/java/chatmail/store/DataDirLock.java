package chatmail.store;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who works on a data directory: a running relay, an import or a restore holds an exclusive lock
 * on {@code <data_dir>/chatmail.lock} until it closes, so the others refuse to start instead of
 * writing under each other (MIG-1, MIG-2). The kernel drops the lock when the process dies, so a
 * crash leaves nothing to clean up. The file names the holder, for the refusal message.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String FILE_NAME = "chatmail.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The data directory is in use by another relay, import or restore. */
    public static final class HeldException extends IOException {
        public HeldException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock for {@code purpose} ("relay", "import", "restore", "expire"), creating the directory
     * when missing.
     *
     * @throws HeldException when another process (or another holder in this one) has it
     */
    public static DataDirLock acquire(Path dataDir, String purpose) throws IOException {
        PrivateFiles.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = open(file);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new HeldException(dataDir + " is in use" + holder(file)
                    + "; stop it first (only one relay, import, restore or expire may use a data_dir at a time)");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((purpose + " " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new DataDirLock(channel, lock);
    }

    /** True when some process holds the lock of {@code dataDir} now. */
    @SuppressWarnings("try") // taking the lock is the probe
    public static boolean isHeld(Path dataDir) throws IOException {
        if (!Files.exists(dataDir.resolve(FILE_NAME))) {
            return false;
        }
        try (DataDirLock probe = acquire(dataDir, "probe")) {
            return false;
        } catch (HeldException held) {
            return true;
        }
    }

    private static FileChannel open(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            return FileChannel.open(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(file, options);
        }
    }

    private static String holder(Path file) {
        try {
            String[] words = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            if (words.length == 2 && words[1].matches("[0-9]+")) {
                return " by " + (words[0].equals("relay") ? "a running relay" : "a running " + words[0])
                        + " (process " + words[1] + ")";
            }
        } catch (IOException | RuntimeException unreadable) {
            // the refusal stands without the name
        }
        return "";
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
