package chatmail.backup;

import chatmail.store.DataDirLock;
import chatmail.store.sqlite.SqliteBackupSource;
import chatmail.store.sqlite.SqliteMailStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code chatmail restore FILE} (MIG-2): unpacks a backup into an empty (or absent) data_dir,
 * holding the data_dir lock so no relay starts meanwhile. Every file is checked against the
 * manifest (size and SHA-256) and nothing outside it is written; the restored database's counts
 * must be the manifest's; then the store is opened once, which brings the schema up to this
 * relay's version. On any failure data_dir is emptied again. Directories get mode 0700, files
 * 0600 (SEC-6).
 */
public final class BackupRestore {
    private static final long MAX_MANIFEST = 512L << 20;

    public record Result(BackupManifest manifest, long files, long bytes) {}

    private BackupRestore() {}

    @SuppressWarnings("try") // the lock is held for the block, not used in it
    public static Result restore(Path archive, Path dataDir) throws IOException {
        requireEmpty(dataDir);
        try (DataDirLock lock = DataDirLock.acquire(dataDir, "restore")) {
            requireEmpty(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            try {
                return unpack(archive, dataDir);
            } catch (IOException | RuntimeException e) {
                emptyAgain(dataDir);
                throw e;
            }
        }
    }

    private static Result unpack(Path archive, Path dataDir) throws IOException {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry manifestEntry = zip.getEntry(BackupManifest.ENTRY);
            if (manifestEntry == null) {
                throw new BackupFormatException(archive + " has no " + BackupManifest.ENTRY + ": not a chatmail backup");
            }
            BackupManifest manifest;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                manifest = BackupManifest.read(new java.io.ByteArrayInputStream(in.readNBytes((int) Math.min(
                        MAX_MANIFEST, Integer.MAX_VALUE - 8))));
            }
            if (manifest.formatVersion() > BackupManifest.FORMAT_VERSION) {
                throw new BackupFormatException("the backup's format " + manifest.formatVersion()
                        + " is newer than this relay reads (" + BackupManifest.FORMAT_VERSION + "): restore with a newer relay");
            }
            String known = SqliteBackupSource.knownSchemaVersion();
            if (SqliteBackupSource.compareVersions(manifest.schemaVersion(), known) > 0) {
                throw new BackupFormatException("the backup's store schema " + manifest.schemaVersion()
                        + " is newer than this relay's (" + known + "): restore with chatmail "
                        + manifest.relayVersion() + " or newer");
            }
            Map<String, BackupManifest.FileEntry> listed = new HashMap<>();
            for (BackupManifest.FileEntry f : manifest.files()) {
                if (!KeyFiles.restorable(f.path()) || listed.put(f.path(), f) != null) {
                    throw new BackupFormatException("the manifest names a path a restore must not write: " + f.path());
                }
            }
            if (!listed.containsKey(KeyFiles.DATABASE)) {
                throw new BackupFormatException("the backup holds no database");
            }
            Set<String> seen = new HashSet<>();
            long bytes = 0;
            Set<Path> directories = new HashSet<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.equals(BackupManifest.ENTRY)) {
                    continue;
                }
                BackupManifest.FileEntry expected = listed.get(name);
                if (expected == null || entry.isDirectory() || !seen.add(name)) {
                    throw new BackupFormatException("the archive holds " + name + ", which its manifest does not list");
                }
                Path target = dataDir.resolve(name);
                directories.addAll(createDirectories(dataDir, target.getParent()));
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes += extract(in, target, expected);
                }
            }
            if (seen.size() != listed.size()) {
                listed.keySet().removeAll(seen);
                throw new BackupFormatException("files of the manifest are missing from the archive: "
                        + listed.keySet().stream().sorted().limit(5).toList());
            }
            for (Path dir : directories) {
                BackupWriter.fsync(dir);
            }
            BackupWriter.fsync(dataDir);
            checkCounts(dataDir, manifest);
            // Brings the schema up to this relay's and checks that the store opens.
            SqliteMailStore.open(dataDir, Clock.systemUTC()).close();
            return new Result(manifest, seen.size(), bytes);
        }
    }

    private static void checkCounts(Path dataDir, BackupManifest manifest) throws IOException {
        Map<String, Long> restored = SqliteBackupSource.counts(dataDir);
        for (Map.Entry<String, Long> e : restored.entrySet()) {
            Long expected = manifest.counts().get(e.getKey());
            if (expected != null && !expected.equals(e.getValue())) {
                throw new BackupFormatException("the restored store holds " + e.getValue() + " " + e.getKey()
                        + ", the manifest says " + expected);
            }
        }
    }

    private static long extract(InputStream in, Path target, BackupManifest.FileEntry expected) throws IOException {
        MessageDigest sha = BackupWriter.sha256();
        long size;
        try (FileChannel channel = FileChannel.open(target, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            OutputStream out = Channels.newOutputStream(channel);
            BackupWriter.CountingDigest counting = new BackupWriter.CountingDigest(out, sha);
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                counting.write(buffer, 0, n);
                if (counting.count > expected.size()) {
                    break;
                }
            }
            size = counting.count;
            channel.force(true);
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (size != expected.size() || !digest.equals(expected.sha256())) {
            throw new BackupFormatException(expected.path() + " does not match the manifest (damaged archive)");
        }
        return size;
    }

    /** Creates the missing directories between {@code dataDir} and {@code dir}, mode 0700; returns them with their parents. */
    private static Set<Path> createDirectories(Path dataDir, Path dir) throws IOException {
        Set<Path> touched = new HashSet<>();
        Path relative = dataDir.relativize(dir);
        Path current = dataDir;
        for (Path part : relative) {
            if (part.toString().isEmpty()) {
                continue;
            }
            Path next = current.resolve(part);
            if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                touched.add(current);
            }
            touched.add(next);
            current = next;
        }
        return touched;
    }

    /** Empty, absent, or holding only the lock file. */
    private static void requireEmpty(Path dataDir) throws IOException {
        if (!Files.exists(dataDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dataDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dataDir + " is not a directory");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(DataDirLock.FILE_NAME)) {
                    throw new IOException(dataDir + " is not empty: restore only into an empty data_dir"
                            + " (move the old one away first)");
                }
            }
        }
    }

    private static void emptyAgain(Path dataDir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(DataDirLock.FILE_NAME)) {
                    BackupWriter.deleteRecursively(entry);
                }
            }
        }
    }
}
