package chatmail.store.sqlite;

import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Message bodies too large to keep in the database, one file each under
 * {@code blobs/<first two hex digits>/<32 hex digits>}. A file is complete and durable (data,
 * name and directory entry fsynced) before any commit may reference it.
 */
final class BodyFiles {
    /** Bodies up to this size live inline in the database row; larger ones get a file. */
    static final int INLINE_LIMIT = 64 * 1024;

    private static final String TEMP_SUFFIX = ".tmp";
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;

    private BodyFiles(Path root) {
        this.root = root;
    }

    /** Creates every fan-out directory up front, so storing a body never creates one. */
    static BodyFiles open(Path dataDir) throws IOException {
        Path root = dataDir.resolve("blobs");
        boolean created = !Files.isDirectory(root);
        Files.createDirectories(root);
        for (int i = 0; i < 256; i++) {
            Path dir = root.resolve(HEX.toHexDigits((byte) i));
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                created = true;
            }
        }
        if (created) {
            fsyncDirectory(root);
            fsyncDirectory(dataDir);
        }
        return new BodyFiles(root);
    }

    /** Writes the content to a new file, durably; returns the file's name for the database. */
    String write(byte[] content) throws IOException {
        return write(MessageBody.of(content));
    }

    /**
     * Puts the body into a new file, durably, and returns the file's name for the database. A
     * spooled body's file is synced and renamed into place (SEC-1: the bytes are written once);
     * otherwise, or when the spool is on another file system, the bytes are copied.
     */
    String write(MessageBody body) throws IOException {
        String name = newName();
        Path file = path(name);
        if (body.file().isPresent() && adopt(body.file().get(), file)) {
            fsyncDirectory(file.getParent());
            return name;
        }
        Path temp = file.resolveSibling(name + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (body.inMemory().isPresent()) {
                ByteBuffer buffer = ByteBuffer.wrap(body.inMemory().get());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } else {
                try (InputStream in = body.openStream()) {
                    OutputStream out = Channels.newOutputStream(channel);
                    in.transferTo(out);
                }
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(file.getParent());
        return name;
    }

    /** Syncs a spool file and renames it to {@code target}; false when they are on different file systems. */
    private static boolean adopt(Path spooled, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(spooled, StandardOpenOption.READ)) {
            channel.force(true);
        }
        try {
            Files.move(spooled, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException otherFileSystem) {
            return false;
        }
    }

    private static String newName() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HEX.formatHex(id);
    }

    byte[] read(String name) throws IOException {
        return Files.readAllBytes(path(name));
    }

    Path path(String name) {
        if (!isName(name)) {
            throw new IllegalArgumentException("not a body file name");
        }
        return root.resolve(name.substring(0, 2)).resolve(name);
    }

    static boolean isName(String name) {
        return name.length() == 32 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** Where a body file lies relative to the data directory, for backups. */
    static String relativePath(String name) {
        if (!isName(name)) {
            throw new IllegalArgumentException("not a body file name");
        }
        return "blobs/" + name.substring(0, 2) + "/" + name;
    }

    /** Removes files no row points at: bodies of uncommitted or deleted messages after a crash. */
    int removeOrphans(Predicate<String> referenced) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        if (name.endsWith(TEMP_SUFFIX) || !referenced.test(name)) {
                            Files.deleteIfExists(file);
                            removed++;
                        }
                    }
                }
            }
        }
        return removed;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
