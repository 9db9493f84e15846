package chatmail.backup;

import chatmail.store.sqlite.SqliteBackupSource;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code chatmail backup FILE} (MIG-2): a consistent archive of a relay that may be running. It
 * holds deletions of body files (in the database the relay shares), takes a snapshot of the
 * database, copies every body file the snapshot references (the hold keeps them on disk even when
 * the relay expunges their messages meanwhile), lets go of the hold, adds the key files and ends
 * with a manifest of versions, counts and checksums. The archive is a zip (the JDK writes it; Zip64
 * beyond 4 GiB), written under a temporary name and renamed when complete, mode 0600.
 */
public final class BackupWriter {
    /** How long a hold lasts unless renewed: a backup that dies stops holding after this. */
    static final Duration HOLD = Duration.ofMinutes(10);
    static final Duration RENEW_EVERY = Duration.ofMinutes(1);

    /** Moments a test can act in (expunge while files are being copied); no-ops otherwise. */
    public interface Listener {
        default void snapshotTaken() throws IOException {}
    }

    public record Result(Path archive, BackupManifest manifest, long bytes, int deferredFilesRemoved) {}

    private final Path dataDir;
    private final String mailDomain;
    private final String relayVersion;
    private final Clock clock;
    private final Listener listener;

    public BackupWriter(Path dataDir, String mailDomain, String relayVersion, Clock clock, Listener listener) {
        this.dataDir = dataDir;
        this.mailDomain = mailDomain;
        this.relayVersion = relayVersion;
        this.clock = clock;
        this.listener = listener;
    }

    public Result write(Path archive) throws IOException {
        if (Files.exists(archive, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(archive.toString(), null, "exists already; name a new file");
        }
        Path parent = archive.toAbsolutePath().getParent();
        Path work = Files.createTempDirectory(parent, ".chatmail-backup-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path partial = parent.resolve(archive.getFileName() + ".partial");
        try (SqliteBackupSource source = SqliteBackupSource.open(dataDir)) {
            source.hold(HOLD);
            Hold hold = new Hold(source);
            try {
                return write(archive, parent, work, partial, hold);
            } finally {
                hold.release();
            }
        } finally {
            Files.deleteIfExists(partial);
            deleteRecursively(work);
        }
    }

    /** The hold on body files, let go of once (as soon as the bodies are copied, or on failure). */
    private static final class Hold {
        private final SqliteBackupSource source;
        private boolean released;
        private int deferredFilesRemoved;

        Hold(SqliteBackupSource source) {
            this.source = source;
        }

        void release() throws IOException {
            if (!released) {
                released = true;
                deferredFilesRemoved = source.release();
            }
        }
    }

    private Result write(Path archive, Path parent, Path work, Path partial, Hold hold) throws IOException {
        List<BackupManifest.FileEntry> entries = new ArrayList<>();
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE);
                ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(
                        java.nio.channels.Channels.newOutputStream(channel), 1 << 16))) {
            zip.setLevel(Deflater.BEST_SPEED);
            SqliteBackupSource.Snapshot snapshot = hold.source.snapshot(work.resolve(KeyFiles.DATABASE));
            listener.snapshotTaken();
            entries.add(add(zip, KeyFiles.DATABASE, snapshot.database()));
            long renewed = System.nanoTime();
            for (String body : snapshot.bodyFiles()) {
                try {
                    entries.add(add(zip, body, dataDir.resolve(body)));
                } catch (NoSuchFileException gone) {
                    throw new IOException("body file " + body + " of the snapshot is missing (was the backup"
                            + " stalled for more than " + HOLD.toMinutes() + " minutes?)", gone);
                }
                if (System.nanoTime() - renewed > RENEW_EVERY.toNanos()) {
                    hold.source.renew(HOLD);
                    renewed = System.nanoTime();
                }
            }
            hold.release();
            for (String file : keyFiles()) {
                entries.add(add(zip, file, dataDir.resolve(file)));
            }
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, relayVersion, clock.instant(),
                    mailDomain, snapshot.schemaVersion(), snapshot.counts(), entries);
            zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
            manifest.write(zip);
            zip.closeEntry();
            zip.finish();
            zip.flush();
            channel.force(true);
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            fsync(parent);
            return new Result(archive, manifest, Files.size(archive), hold.deferredFilesRemoved);
        }
    }

    /** The key files present, as '/'-separated paths relative to data_dir. */
    private List<String> keyFiles() throws IOException {
        List<String> files = new ArrayList<>();
        for (String dir : KeyFiles.DIRECTORIES) {
            Path root = dataDir.resolve(dir);
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted().toList()) {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !p.getFileName().toString().endsWith(".tmp")) {
                        files.add(dataDir.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
                    }
                }
            }
        }
        for (String file : KeyFiles.FILES) {
            if (Files.isRegularFile(dataDir.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                files.add(file);
            }
        }
        return files;
    }

    private static BackupManifest.FileEntry add(ZipOutputStream zip, String name, Path file) throws IOException {
        MessageDigest sha = sha256();
        long size;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            ZipEntry entry = new ZipEntry(name);
            entry.setLastModifiedTime(Files.getLastModifiedTime(file));
            zip.putNextEntry(entry);
            CountingDigest out = new CountingDigest(zip, sha);
            in.transferTo(out);
            size = out.count;
            zip.closeEntry();
        }
        return new BackupManifest.FileEntry(name, size, HexFormat.of().formatHex(sha.digest()));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Passes bytes on, counting and hashing them; closing it leaves the zip open. */
    static final class CountingDigest extends FilterOutputStream {
        private final MessageDigest digest;
        long count;

        CountingDigest(OutputStream out, MessageDigest digest) {
            super(out);
            this.digest = digest;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the zip entry is closed by the caller
        }
    }

    static void fsync(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
