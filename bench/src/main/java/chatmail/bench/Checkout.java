package chatmail.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout this bench runs from, found above its jar (bench/target/chatmail-bench.jar). */
public final class Checkout {
    private Checkout() {}

    /** The {@code ./chatmail} launcher of this checkout. */
    public static Path launcher() {
        return find("chatmail");
    }

    /** {@code relative} in the first directory above the bench's code that has it; else in the working directory. */
    static Path find(String relative) {
        try {
            Path code = Path.of(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = code.getParent(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(relative);
                if (Files.isExecutable(candidate) && Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (Exception e) {
            // Fall back to the working directory.
        }
        return Path.of(relative).toAbsolutePath();
    }
}
