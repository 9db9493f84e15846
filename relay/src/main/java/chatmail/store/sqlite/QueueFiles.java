package chatmail.store.sqlite;

import chatmail.files.PrivateFiles;
import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Bodies of queued outbound messages too large to keep in the database row, one file each in
 * {@code data_dir/queue/}. A file is durable (data and directory entry) before the commit that
 * references it. When the queued body is a spool file that also becomes a local copy, the queue
 * gets a second name (hard link) for the same bytes instead of a copy.
 */
public final class QueueFiles {

    private static final String TEMP_SUFFIX = ".tmp";
    private static final HexFormat HEX = HexFormat.of();

    private final Path directory;

    private QueueFiles(Path directory) {
        this.directory = directory;
    }

    public static QueueFiles open(Path dataDir) {
        Path dir = dataDir.resolve("queue");
        try {
            if (!Files.isDirectory(dir)) {
                PrivateFiles.createDirectories(dir);
                BodyFiles.fsyncDirectory(dataDir);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        return new QueueFiles(dir);
    }

    /** Puts the body into a new durable file and returns its name for the database. */
    String store(MessageBody body) throws IOException {
        String name = newName();
        Path file = path(name);
        if (body.file().isPresent() && link(body.file().get(), file)) {
            return name;
        }
        Path temp = directory.resolve(name + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try (InputStream in = body.openStream()) {
                OutputStream out = Channels.newOutputStream(channel);
                in.transferTo(out);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        BodyFiles.fsyncDirectory(directory);
        return name;
    }

    /** A second name for a spool file: its data synced, the new entry synced; false on another file system. */
    private boolean link(Path spooled, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(spooled, StandardOpenOption.READ)) {
            channel.force(true);
        }
        try {
            Files.createLink(target, spooled);
        } catch (IOException | UnsupportedOperationException notHere) {
            return false;
        }
        BodyFiles.fsyncDirectory(directory);
        return true;
    }

    private static String newName() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HEX.formatHex(id);
    }

    /** The file of a queued message. */
    public Path path(String name) {
        if (name.length() != 32 || !name.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a queue file name");
        }
        return directory.resolve(name);
    }

    /** Removes files no queue entry names: those of uncommitted or finished entries after a crash. */
    public int removeOrphans(Predicate<String> referenced) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX) || !referenced.test(name)) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        }
        return removed;
    }
}
