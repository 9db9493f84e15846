package chatmail.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Our relay as a child process started by the {@code ./chatmail} launcher of this checkout (so
 * with its JDK, JVM options and AOT cache), on a loopback address with a fresh data directory and
 * limits raised so the bench measures capacity rather than policy: the per-sender rate limit,
 * the connection caps and the load/memory/disk guards on account creation.
 */
public final class OurRelayProcess implements ServerUnderTest {
    public static final String DOMAIN = "bench.localhost";

    private final Path dir;
    private boolean keepData;
    private final Process process;
    private final Duration startup;
    private final BenchTarget target;

    private OurRelayProcess(Path dir, Process process, Duration startup, BenchTarget target) {
        this.dir = dir;
        this.process = process;
        this.startup = startup;
        this.target = target;
    }

    /**
     * How to start the relay: where it listens and what it is given, and optionally another
     * checkout's launcher, the directory of an earlier start, or configuration beyond the bench's.
     *
     * @param launcher the {@code chatmail} launcher that starts it (another checkout's, e.g. a baseline's)
     * @param jvmOptions extra JVM options (for example a heap limit or NMT), given to the launcher as
     *     {@code CHATMAIL_JAVA_OPTS} so they come after its own
     * @param timeout how long to wait for submission to accept
     * @param previous the directory (configuration, data, certificate) of an earlier start to reuse
     *     (a restart), or null for a fresh one
     * @param overrides keys of the bench configuration replaced or added (ini name to value), for a
     *     scenario that needs other ports or the default limits
     * @param extraIni keys the bench's own ini does not set, added to {@code [params]}
     */
    public record Start(Path launcher, String address, List<InetAddress> sources, List<String> jvmOptions,
                        Duration timeout, Path previous, Map<String, String> overrides, String extraIni) {
        /** This checkout's launcher, a fresh directory, the bench configuration as it is. */
        public static Start on(String address, List<InetAddress> sources, List<String> jvmOptions, Duration timeout) {
            return new Start(Checkout.launcher(), address, sources, jvmOptions, timeout, null, Map.of(), "");
        }

        public Start launcher(Path other) {
            return new Start(other, address, sources, jvmOptions, timeout, previous, overrides, extraIni);
        }

        /** A restart: the directory of an earlier start, or null for a fresh one. */
        public Start reusing(Path directory) {
            return new Start(launcher, address, sources, jvmOptions, timeout, directory, overrides, extraIni);
        }

        public Start overrides(Map<String, String> keys) {
            return new Start(launcher, address, sources, jvmOptions, timeout, previous, keys, extraIni);
        }

        public Start extraIni(String keys) {
            return new Start(launcher, address, sources, jvmOptions, timeout, previous, overrides, keys);
        }
    }

    /** Starts the relay as {@code start} says (ports 465 and 993) and waits until submission accepts. */
    public static OurRelayProcess start(Start start) throws IOException {
        String address = start.address();
        Duration timeout = start.timeout();
        // Else the port check below would find that listener at once and the bench would measure
        // a relay it did not start (another bench's, with other accounts and another push sink).
        if (Ports.accepts(address, 465)) {
            throw new IOException("something already listens on " + address + ":465 (another bench's relay?); pick another address");
        }
        Path dir = start.previous() != null ? start.previous() : Files.createTempDirectory("chatmail-bench-ours");
        Path ini = dir.resolve("chatmail.ini");
        Files.writeString(ini, ini(address, dir.resolve("data"), start.overrides()) + start.extraIni(),
                StandardCharsets.UTF_8);
        // Through the launcher, so the JVM options (heap policy, collector, AOT cache) are those of a real start.
        List<String> command = List.of(start.launcher().toString(), "run", "--config", ini.toString());
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("relay.log").toFile());
        pb.environment().remove("CHATMAIL_INI");
        pb.environment().put("CHATMAIL_JAVA_OPTS", String.join(" ", start.jvmOptions()));
        Process p = pb.start();
        if (!Ports.awaitAccepting(address, 465, timeout, p::isAlive)) {
            p.destroyForcibly();
            throw new IOException("our relay did not accept on " + address + ":465 within " + timeout.toSeconds()
                    + " s; its log: " + dir.resolve("relay.log") + "\n" + tail(dir.resolve("relay.log")));
        }
        Duration startup = Duration.ofNanos(System.nanoTime() - t0);
        // IMAP starts right after SMTP when the relay has it.
        boolean imap = Ports.awaitAccepting(address, 993, Duration.ofSeconds(3), p::isAlive);
        BenchTarget target = new BenchTarget("ours", address, 465, imap ? 993 : 0, DOMAIN,
                BenchTarget.DEFAULT_PASSWORD, start.sources());
        return new OurRelayProcess(dir, p, startup, target);
    }

    static String ini(String address, Path dataDir) {
        return ini(address, dataDir, Map.of());
    }

    /** The bench configuration with {@code overrides} replacing the value of a key or added at the end. */
    static String ini(String address, Path dataDir, Map<String, String> overrides) {
        Map<String, String> left = new LinkedHashMap<>(overrides);
        StringBuilder out = new StringBuilder();
        for (String line : baseIni(address, dataDir).split("\n")) {
            int eq = line.indexOf(" = ");
            String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq) : null;
            out.append(key != null && left.containsKey(key) ? key + " = " + left.remove(key) : line).append('\n');
        }
        left.forEach((key, value) -> out.append(key).append(" = ").append(value).append('\n'));
        return out.toString();
    }

    private static String baseIni(String address, Path dataDir) {
        return """
                [params]
                mail_domain = %s
                data_dir = %s
                listen_addresses = %s
                smtp_port = 0
                submission_port = 0
                submissions_port = 465
                imap_port = 0
                imaps_port = 993
                http_port = 0
                https_port = 0
                imap_compress = true
                # Raised for benchmarking: the bench's few sender accounts send far more than a person.
                max_user_send_per_minute = 100000000
                max_user_send_burst_size = 100000000
                max_imap_connections = 1000000
                max_smtp_connections = 100000
                # A busy 2-core machine must not refuse the bench's accounts (ACC-5).
                max_load_1m = 100000
                min_available_memory = 1
                min_free_disk_space = 1
                # Peers of a benchmark are on loopback (SEC-5 refuses such destinations by default).
                allow_private_destinations = true
                """.formatted(DOMAIN, dataDir, address);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Ends the relay with SIGKILL (no shutdown of any kind) and keeps its directory; returns the directory. */
    public Path killKeepingData() throws InterruptedException {
        keepData = true;
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the relay did not end after SIGKILL");
        }
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Deletes the directory of a relay that was killed or stopped keeping it. */
    public static void deleteData(Path dir) {
        deleteTree(dir);
    }

    /** Stops the relay but keeps its directory for a restart; returns the directory. */
    public Path stopKeepingData() {
        keepData = true;
        close();
        return dir;
    }

    /** The relay's directory: configuration, data, and its output in relay.log. */
    public Path directory() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public BenchTarget target() {
        return target;
    }

    @Override
    public Duration startup() {
        return startup;
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

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (!keepData) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }
}
