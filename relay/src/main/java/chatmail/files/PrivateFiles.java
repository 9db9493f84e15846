package chatmail.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Files and directories only the relay's own user may use (SEC-6): {@code data_dir} and the
 * directories of keys 0700, the database and key files 0600. Java cannot set a umask, so the
 * mode is given to the system call that creates the file, never narrowed afterwards with a
 * chmod (between the two another user could open it and keep it open).
 */
public final class PrivateFiles {

    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /** Creates the directory and its missing parents, each 0700; an existing one is left as it is. */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            return Files.createDirectories(dir, attribute(DIRECTORY_MODE));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createDirectories(dir);
        }
    }

    /** Creates an empty file with mode 0600; fails when it exists. */
    public static Path createFile(Path file) throws IOException {
        try {
            return Files.createFile(file, attribute(FILE_MODE));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createFile(file);
        }
    }

    /** Creates an empty file with mode 0600 unless it exists; true when it was created. */
    public static boolean createFileIfAbsent(Path file) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        try {
            createFile(file);
            return true;
        } catch (FileAlreadyExistsException raced) {
            return false;
        }
    }

    /**
     * Replaces {@code target} with {@code content}: written to a temporary file created 0600,
     * then renamed, so a reader sees the old or the new content and never a half-written key.
     */
    public static void writeAtomically(Path target, String content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            createFile(temporary);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another process is writing " + temporary, e);
        }
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The file's mode (such as {@code rw-r--r--}) when users other than its owner may read it,
     * or, for a directory, enter or list it; empty when only the owner may (or it is not a POSIX
     * file system, where the question has no answer).
     */
    public static Optional<String> modeOpenToOthers(Path path) throws IOException {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException notPosix) {
            return Optional.empty();
        }
        boolean open = mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)
                || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE);
        if (Files.isDirectory(path)) {
            open |= mode.contains(PosixFilePermission.GROUP_EXECUTE) || mode.contains(PosixFilePermission.OTHERS_EXECUTE);
        }
        return open ? Optional.of(PosixFilePermissions.toString(mode)) : Optional.empty();
    }

    /** The mode when every other user may read the file; empty otherwise. */
    public static Optional<String> modeOpenToEveryone(Path path) throws IOException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            return mode.contains(PosixFilePermission.OTHERS_READ)
                    ? Optional.of(PosixFilePermissions.toString(mode)) : Optional.empty();
        } catch (UnsupportedOperationException notPosix) {
            return Optional.empty();
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.asFileAttribute(mode);
    }
}
