package chatmail.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Our relay started the way an operator starts it: {@code <checkout>/chatmail run --config FILE},
 * through the launcher (its JDK choice, build check, JVM options and AOT cache), with every
 * listener of a production relay on the standard ports of one loopback address. The launcher
 * execs the JVM, so the child's pid is the relay's.
 */
public final class LaunchedRelay implements ServerUnderTest {
    public static final String DOMAIN = OurRelayProcess.DOMAIN;

    /** The listeners a production relay has, all of which must answer for it to be ready (PERF-1). */
    public static final List<ReadinessProbe.Listener> LISTENERS = List.of(
            new ReadinessProbe.Listener("submissions", 465, ReadinessProbe.Kind.SMTPS),
            new ReadinessProbe.Listener("imaps", 993, ReadinessProbe.Kind.IMAPS),
            new ReadinessProbe.Listener("smtp", 25, ReadinessProbe.Kind.SMTP),
            new ReadinessProbe.Listener("submission", 587, ReadinessProbe.Kind.SMTP),
            new ReadinessProbe.Listener("imap", 143, ReadinessProbe.Kind.IMAP),
            new ReadinessProbe.Listener("http", 80, ReadinessProbe.Kind.HTTP),
            new ReadinessProbe.Listener("https", 443, ReadinessProbe.Kind.HTTPS));

    /**
     * How one start went, from the exec of the launcher.
     *
     * @param ready until every listener answered
     * @param submissions until a client completed TLS on 465 and read the 220
     * @param cpu the relay's CPU time (user and system) when it was ready
     */
    public record Start(Duration ready, Duration submissions, Duration cpu) {}

    private final Process process;
    private final Path dir;
    private final BenchTarget target;
    private final Start start;

    private LaunchedRelay(Process process, Path dir, BenchTarget target, Start start) {
        this.process = process;
        this.dir = dir;
        this.target = target;
        this.start = start;
    }

    /**
     * Starts the relay in {@code dir} (its configuration and data; reused: a restart) and waits
     * until it is ready.
     *
     * @param javaOptions {@code CHATMAIL_JAVA_OPTS} for the launcher; empty for none
     * @param wrapper turns the command into the one to run (for a cgroup); identity otherwise
     */
    public static LaunchedRelay start(String name, Path launcher, String javaOptions, Path dir, String address,
                                      List<InetAddress> sources, ClientTls tls, Duration timeout,
                                      java.util.function.UnaryOperator<List<String>> wrapper) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ini = dir.resolve("chatmail.ini");
        if (!Files.exists(ini)) {
            Files.writeString(ini, ini(address, dir.resolve("data")), StandardCharsets.UTF_8);
        }
        List<String> command = wrapper.apply(List.of(launcher.toString(), "run", "--config", ini.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("relay.log").toFile()));
        pb.environment().remove("CHATMAIL_INI");
        if (javaOptions.isBlank()) {
            pb.environment().remove("CHATMAIL_JAVA_OPTS");
        } else {
            pb.environment().put("CHATMAIL_JAVA_OPTS", javaOptions);
        }
        ReadinessProbe probe = new ReadinessProbe(address, LISTENERS, tls);
        long t0 = System.nanoTime();
        Process p = pb.start();
        ReadinessProbe.Readiness ready;
        try {
            ready = probe.await(timeout, p::isAlive);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(p);
            throw new IOException("the relay started by " + launcher + " was not ready: " + e.getMessage()
                    + "\nits log (" + dir.resolve("relay.log") + "):\n" + tail(dir.resolve("relay.log")), e);
        }
        Duration cpu = cpuTime(p.pid());
        Start s = new Start(Duration.ofNanos(ready.lastNanos() - t0), Duration.ofNanos(ready.nanos("submissions") - t0), cpu);
        BenchTarget target = new BenchTarget(name, address, 465, 993, DOMAIN, BenchTarget.DEFAULT_PASSWORD, sources);
        return new LaunchedRelay(p, dir, target, s);
    }

    /**
     * A production relay's configuration with the defaults, except what a load generator needs
     * raised: its few senders send far more than a person, and a busy 2-core machine must not
     * make it refuse the bench's accounts (ACC-5).
     */
    static String ini(String address, Path dataDir) {
        return """
                [params]
                mail_domain = %s
                data_dir = %s
                listen_addresses = %s
                max_user_send_per_minute = 100000000
                max_user_send_burst_size = 100000000
                max_load_1m = 100000
                min_available_memory = 1
                min_free_disk_space = 1
                """.formatted(DOMAIN, dataDir, address);
    }

    /** The process's CPU time so far (user and system), from /proc. */
    static Duration cpuTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name in parentheses may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Duration.ZERO;
        }
    }

    public Start start() {
        return start;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path dir() {
        return dir;
    }

    public ResidentMemory resident() {
        return ResidentMemory.of(process.pid());
    }

    @Override
    public BenchTarget target() {
        return target;
    }

    @Override
    public Duration startup() {
        return start.ready();
    }

    @Override
    public ProcessMemory memory() {
        return ProcessMemory.ofTree(process.pid());
    }

    @Override
    public ProcessMemory imapMemory() {
        return memory();
    }

    @Override
    public Optional<Long> liveHeap() {
        long bytes = JvmHeap.liveBytes(process.pid());
        return bytes < 0 ? Optional.empty() : Optional.of(bytes);
    }

    @Override
    public String durability() {
        return "SQLite WAL synchronous=FULL, body files and their directory fsynced before the commit; 250 after the commit";
    }

    /** SIGTERM, as systemd stops it; waits for the exit. Keeps the directory for a restart. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", new ArrayList<>(lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
