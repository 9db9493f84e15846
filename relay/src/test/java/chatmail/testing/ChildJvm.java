package chatmail.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a main class in a new JVM with this JVM's java and classpath, for
 * tests that must kill or watch a relay process from outside.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static List<String> command(Class<?> mainClass, String... args) {
        return command(List.of(), mainClass, args);
    }

    /** The same with extra JVM options (a fixed {@code -Xmx} for memory bounds). */
    public static List<String> command(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(java(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                // As the launcher: out of memory, the process ends (SEC-7).
                "-XX:+ExitOnOutOfMemoryError",
                "-Xshare:auto",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** This JVM's {@code java}. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** A JDK tool next to this JVM's {@code java} ({@code jcmd}). */
    public static String tool(String name) {
        return Path.of(java()).resolveSibling(name).toString();
    }
}
