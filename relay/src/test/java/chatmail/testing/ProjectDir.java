package chatmail.testing;

import java.nio.file.Path;

/**
 * The checkout's top directory (where {@code ./chatmail}, {@code scripts/} and {@code docs/} are),
 * for tests that read them. Maven runs each module's tests in the module's directory, one below.
 */
public final class ProjectDir {
    private ProjectDir() {}

    public static Path root() {
        String configured = System.getProperty("chatmail.project.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.dir"), "..");
        return dir.toAbsolutePath().normalize();
    }

    public static Path resolve(String relative) {
        return root().resolve(relative);
    }
}
