package chatmail.cli;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.config.DevConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The training run of the JDK's AOT cache (JEP 483/515): the launcher runs this command once
 * after every build as {@code java -XX:AOTCacheOutput=FILE -jar chatmail.jar aot-training}, and a
 * package does the same for its installed class path. What this JVM loads, links and profiles is
 * what later starts take from the cache, so it does what a real relay does first: a first start
 * (certificate made), a restart (certificate read), then one client of each kind over loopback
 * (submission and IMAP IDLE over TLS, STARTTLS, the MX greeting, the web page), then a stop. A
 * temporary directory and ephemeral ports keep it away from any real relay on the machine.
 */
@Command(name = "aot-training", hidden = true,
        description = "Start a throw-away relay on loopback, use it once, stop (the AOT cache's training run).")
final class AotTrainingCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Files.createTempDirectory("chatmail-aot-training");
        try {
            Config config = DevConfig.create(dir);
            Relay.Options options = new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), true, true);
            Relay.start(config, options).close();
            try (Relay relay = Relay.start(config, options)) {
                new TrainingClients(relay).run();
            }
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            err.println("chatmail: the AOT training run failed: " + e);
            return ExitCodes.FAILURE;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
