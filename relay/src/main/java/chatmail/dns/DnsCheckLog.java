package chatmail.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The result of the last {@code chatmail dns --check}, kept in {@code <data_dir>/dns-check} so
 * that {@code chatmail status} can show it (OPS-3): one line, {@code <instant> <problems>}.
 */
public final class DnsCheckLog {

    public static final String FILE_NAME = "dns-check";

    /** When the check ran and how many required records were missing or wrong. */
    public record Entry(Instant at, int problems) {}

    private DnsCheckLog() {}

    public static void write(Path dataDir, Entry entry) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        Path temporary = dataDir.resolve(FILE_NAME + ".tmp");
        Files.writeString(temporary, entry.at() + " " + entry.problems() + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The last entry; empty when the check never ran or the file is unreadable. */
    public static Optional<Entry> read(Path dataDir) {
        try {
            String[] fields = Files.readString(dataDir.resolve(FILE_NAME), StandardCharsets.US_ASCII).strip().split(" ");
            return Optional.of(new Entry(Instant.parse(fields[0]), Integer.parseInt(fields[1])));
        } catch (IOException | DateTimeParseException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }
}
