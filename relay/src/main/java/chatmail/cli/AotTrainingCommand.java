package chatmail.cli;

import chatmail.Relay;
import chatmail.account.CredentialGenerator;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.config.ConfigValidator;
import chatmail.config.DevConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The training run of the JDK's AOT cache (JEP 483/515): the launcher runs this command once
 * after every build as {@code java -XX:AOTCacheOutput=FILE -jar chatmail.jar aot-training}, and a
 * package does the same for its installed class path. What this JVM loads, links and profiles is
 * what later starts take from the cache (all of it, at every start), so it does only what a
 * restarted relay does first: a start (the certificate read) and its warm-up, one client of each
 * kind over loopback (submission and IMAP IDLE over TLS, STARTTLS, the MX greeting, a web page),
 * a stop.
 * A temporary directory and ephemeral ports keep it away from any real relay on the machine.
 *
 * <p>Two parts run in JVMs of their own, started by this one: the first start, which makes the
 * self-signed certificate with Bouncy Castle (signed jars, which cannot be in the cache, and any
 * class in it that refers to them would make every start load and verify them), and the clients
 * (the client side of TLS is no part of a relay's start).
 */
@Command(name = "aot-training", hidden = true,
        description = "Start a throw-away relay on loopback, use it once, stop (the AOT cache's training run).")
final class AotTrainingCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--first-start-only", paramLabel = "DIR", hidden = true,
            description = "Only start and stop a relay with its data in DIR.")
    Path firstStartOnly;

    @Option(names = "--clients-for", paramLabel = "DIR", hidden = true,
            description = "Only run the training clients against the relay of DIR, trusting its certificate.")
    Path clientsFor;

    @Option(names = "--port", hidden = true, description = "With --clients-for: a port of the relay, as service=number.")
    Map<String, Integer> ports = new LinkedHashMap<>();

    @Option(names = "--account", hidden = true, description = "With --clients-for: address and password, as address=password.")
    Map<String, String> account = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Relay.Options options = new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), true, true);
        try {
            if (firstStartOnly != null) {
                Relay.start(config(firstStartOnly, err), options).close();
                return ExitCodes.OK;
            }
            if (clientsFor != null) {
                Config config = config(clientsFor, err);
                var login = account.entrySet().iterator().next();
                new TrainingClients(new TrainingClients.Target(config.listenAddresses().getFirst(), ports, config.mailDomain(),
                        login.getKey(), login.getValue()), TrainingClients.trusting(certificate(clientsFor))).run();
                return ExitCodes.OK;
            }
            Path dir = Files.createTempDirectory("chatmail-aot-training");
            try {
                inAnotherJvm("the first start", List.of("--first-start-only", dir.toString()));
                // With the warm-up, as a relay starts in production: its classes (the client side of
                // TLS, DKIM, dnsjava, Jetty's client) then come from the cache too, and the warm-up
                // and the first message to or from another relay no longer load them from the jar.
                Relay.Options warmingUp = new Relay.Options(options.clock(), options.probe(), true, true, true);
                try (Relay relay = Relay.start(config(dir, err), warmingUp)) {
                    CredentialGenerator.Credentials login = new CredentialGenerator(relay.config()).next();
                    List<String> args = new ArrayList<>(List.of("--clients-for", dir.toString(),
                            "--account", login.email() + "=" + login.password()));
                    relay.ports().forEach((service, port) -> args.addAll(List.of("--port", service + "=" + port)));
                    inAnotherJvm("the clients", args);
                    relay.awaitWarmUp();
                }
            } finally {
                deleteTree(dir);
            }
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            err.println("chatmail: the AOT training run failed: " + e);
            return ExitCodes.FAILURE;
        }
    }

    /**
     * The training relay's configuration, read from {@code DIR/chatmail.ini} the way
     * {@code run --config} reads one (written by the first of the three JVMs), so the classes
     * that read a configuration file come from the cache too. The ports are the dev relay's; the
     * relay binds ephemeral ones instead.
     */
    private static Config config(Path dir, PrintWriter err) throws IOException {
        Path ini = dir.resolve("chatmail.ini");
        if (!Files.exists(ini)) {
            Config dev = DevConfig.create(dir);
            Files.writeString(ini, """
                    [params]
                    mail_domain = %s
                    data_dir = %s
                    listen_addresses = %s
                    """.formatted(dev.mailDomain(), dev.dataDir(), String.join(",", dev.listenAddresses())));
        }
        ConfigOption option = new ConfigOption();
        option.file = ini;
        try {
            Config config = option.load(err).config();
            ConfigValidator.checkRunnable(config);
            return config;
        } catch (ConfigException e) {
            throw new IOException("the training relay's configuration is not usable: " + e.getMessage(), e);
        }
    }

    private static Path certificate(Path dir) {
        return dir.resolve("data/tls/cert.pem");
    }

    private static final List<String> INHERITED_PROPERTIES =
            List.of("org.sqlite.lib.path", "org.sqlite.lib.name");

    /** This command with {@code args} in a new JVM on this one's class path; fails unless it exits 0. */
    private static void inAnotherJvm(String what, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        // The launchers point sqlite-jdbc at the native library they unpacked (the package's jar
        // carries none); the helper JVMs need the same to start a relay at all.
        for (String property : INHERITED_PROPERTIES) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "aot-training"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(what + " of the training failed (exit " + p.exitValue() + "): " + output.strip());
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
