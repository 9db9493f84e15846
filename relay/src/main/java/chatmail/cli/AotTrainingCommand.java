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
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the JDK's AOT cache (JEP 483/515): the launcher runs this command once
 * after every build as {@code java -XX:AOTCacheOutput=FILE -jar chatmail.jar aot-training}, and a
 * package does the same for its installed class path. What this JVM loads, links and profiles is
 * what later starts take from the cache (all of it, at every start), so it does only what a
 * restarted relay does first: a start (the certificate read) and its warm-up, one client of each
 * kind over loopback (submission and IMAP IDLE over TLS, STARTTLS, the MX greeting, a web page),
 * a message to another relay ({@link TrainingDns}: it comes back to this relay's /mxdeliv, which
 * refuses it, and returns as a bounce), a stop. The way out to another relay was the largest part
 * of the first message's path after a restart that the cache did not hold (docs/benchmarks.md,
 * "Federation", "Eighth pass").
 * A temporary directory and ephemeral ports keep it away from any real relay on the machine.
 *
 * <p>Two parts run in JVMs of their own, started by this one: the first start, which makes the
 * self-signed certificate with Bouncy Castle (signed jars, which cannot be in the cache, and any
 * class in it that refers to them would make every start load and verify them), and the clients
 * (the client side of TLS is no part of a relay's start).
 */
final class AotTrainingCommand {
    static final String NAME = "aot-training";

    /** Only start and stop a relay with its data in this directory. */
    private Path firstStartOnly;
    /** Only run the training clients against the relay of this directory, trusting its certificate. */
    private Path clientsFor;
    /** With {@link #clientsFor}: the relay's ports, by service. */
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    /** With {@link #clientsFor}: address and password of an account. */
    private final Map<String, String> account = new LinkedHashMap<>();

    private AotTrainingCommand() {}

    /**
     * Whether {@link Main} runs this command line here. It never goes through picocli, whose
     * model of every command (built by reflection before it parses anything) the training JVM
     * would otherwise load and so put into the cache that every start loads, though {@code run}
     * does without picocli (docs/benchmarks.md, "Idle memory, fifth pass").
     */
    static boolean named(String... args) {
        return args.length > 0 && args[0].equals(NAME);
    }

    /**
     * Runs {@code aot-training} with its options ({@code args[0]} is its name). The options are
     * hidden: only the training passes them, to the JVMs it starts ({@link #inAnotherJvm}).
     */
    static int run(PrintWriter err, String... args) {
        AotTrainingCommand command = new AotTrainingCommand();
        try {
            command.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("chatmail " + NAME + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try {
            return command.train(err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("chatmail: the AOT training run was interrupted");
            return ExitCodes.FAILURE;
        }
    }

    /** {@code --name value} or {@code --name=value}, each option as the JVMs started here get them. */
    private void parse(String... args) {
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value of " + name);
            }
            switch (name) {
                case "--first-start-only" -> firstStartOnly = Path.of(value);
                case "--clients-for" -> clientsFor = Path.of(value);
                case "--port" -> ports.put(key(name, value), Integer.parseInt(value.substring(value.indexOf('=') + 1)));
                case "--account" -> account.put(key(name, value), value.substring(value.indexOf('=') + 1));
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
    }

    private static String key(String option, String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException(option + " takes key=value");
        }
        return value.substring(0, eq);
    }

    private int train(PrintWriter err) throws InterruptedException {
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
                // Its ports are fixed (free ones, picked now) because its message to another relay
                // comes back to its own HTTPS port, which outbound_https_port must name before the start.
                Relay.Options warmingUp = new Relay.Options(options.clock(), options.probe(), false, true, true);
                try (TrainingDns dns = new TrainingDns(DevConfig.DOMAIN, InetAddress.getByName(LOOPBACK));
                     Relay relay = Relay.start(federating(dir, dns, err), warmingUp)) {
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

    private static final String LOOPBACK = "127.0.0.1";

    /**
     * The training relay's configuration ({@link #config}) with what its message to another
     * relay needs: {@link TrainingDns} as its resolver, loopback allowed as a destination, its
     * own certificate trusted and its own HTTPS port as the other relay's, on free ports.
     */
    private static Config federating(Path dir, TrainingDns dns, PrintWriter err) throws IOException {
        int https = freeTcpPort();
        StringBuilder more = new StringBuilder()
                .append("dns_resolver = ").append(dns.resolverSetting()).append('\n')
                .append("allow_private_destinations = true\n")
                .append("trusted_ca_file = ").append(certificate(dir)).append('\n')
                .append("https_port = ").append(https).append('\n')
                .append("outbound_https_port = ").append(https).append('\n')
                .append("turn_port = ").append(freeUdpPort()).append('\n');
        for (String key : List.of("smtp_port", "submission_port", "submissions_port", "imap_port", "imaps_port", "http_port")) {
            more.append(key).append(" = ").append(freeTcpPort()).append('\n');
        }
        Files.writeString(dir.resolve("chatmail.ini"), more, StandardOpenOption.APPEND);
        return config(dir, err);
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
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
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), NAME));
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
