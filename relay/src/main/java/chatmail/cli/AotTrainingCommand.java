package chatmail.cli;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
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
 * what later starts take from the cache, so it does what a restarted relay does first: a start
 * (the certificate read), then one client of each kind over loopback (submission and IMAP IDLE
 * over TLS, STARTTLS, the MX greeting, the web page), then a stop. A
 * temporary directory and ephemeral ports keep it away from any real relay on the machine.
 */
@Command(name = "aot-training", hidden = true,
        description = "Start a throw-away relay on loopback, use it once, stop (the AOT cache's training run).")
final class AotTrainingCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--first-start-only", paramLabel = "DIR", hidden = true,
            description = "Only start and stop a relay with its data in DIR (run in a JVM of its own).")
    Path firstStartOnly;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Relay.Options options = new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), true, true);
        if (firstStartOnly != null) {
            Relay.start(DevConfig.create(firstStartOnly), options).close();
            return ExitCodes.OK;
        }
        Path dir = Files.createTempDirectory("chatmail-aot-training");
        try {
            firstStartElsewhere(dir);
            try (Relay relay = Relay.start(DevConfig.create(dir), options)) {
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

    /**
     * The first start, which makes the self-signed certificate, in a JVM of its own: making a
     * certificate takes Bouncy Castle, whose signed jars cannot be in the cache, and every class
     * in the cache that refers to them would make each later start load and verify them.
     */
    private static void firstStartElsewhere(Path dir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "aot-training", "--first-start-only", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IOException("the first start of the training relay failed (exit " + p.exitValue() + ")");
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
