package chatmail.account;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code data_dir/nocreate}, the reference relay's switch: while the file exists, this node
 * creates no account. Its content does not matter.
 */
public final class NocreateFile implements CreationSwitch {
    private final Path file;

    public NocreateFile(Path dataDir) {
        this.file = dataDir.resolve("nocreate");
    }

    @Override
    public boolean off() {
        return Files.exists(file);
    }

    @Override
    public void set(boolean off) {
        try {
            if (off) {
                if (!Files.exists(file)) {
                    Files.createFile(file);
                }
            } else {
                Files.deleteIfExists(file);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("cannot create " + file + ": data_dir " + file.getParent() + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot " + (off ? "create " : "remove ") + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String where() {
        return file.toString();
    }
}
