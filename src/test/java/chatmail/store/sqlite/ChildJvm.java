package chatmail.store.sqlite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that starts {@link DeliveryChild} in a new JVM with this JVM's classpath. */
final class ChildJvm {
    private ChildJvm() {}

    static List<String> command(String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"),
                DeliveryChild.class.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
