package chatmail.turn;

import chatmail.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The TURN secret of a single relay: {@code data_dir/turn_secret}, 256 random bits made at first
 * start, created 0600 from the start (SPEC TURN-1, SEC-6). A group- or world-readable file is
 * used; {@code chatmail.PrivateFilesCheck} warns about it at start-up.
 */
public final class TurnSecretFile implements TurnSecretSource {
    public static final String NAME = "turn_secret";

    private final Path file;

    public TurnSecretFile(Path dataDir) {
        this.file = dataDir.resolve(NAME);
    }

    public Path file() {
        return file;
    }

    @Override
    public String secret() throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try {
                create(secret);
                return secret;
            } catch (FileAlreadyExistsException raced) {
                // Made meanwhile: read what is there.
            }
        }
        String secret = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (secret.isEmpty()) {
            throw new IOException(file + " is empty; delete it to get a new TURN secret");
        }
        return secret;
    }

    private void create(String secret) throws IOException {
        PrivateFiles.createDirectories(file.getParent());
        PrivateFiles.createFile(file);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
    }
}
