package chatmail.bench.turn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * coturn's {@code turnserver} from Debian, started by the bench with the REST shared secret, no
 * configuration file, no CLI, no TLS, loopback peers allowed, on its own loopback address and
 * relay port range; its defaults otherwise (as many relay threads as CPUs, no bandwidth limit).
 */
final class CoturnProcess implements TurnUnderTest {
    static final Path PROGRAM = Path.of("/usr/bin/turnserver");

    private final Process process;
    private final InetSocketAddress address;
    private final List<String> command;
    private final Path log;

    private CoturnProcess(Process process, InetSocketAddress address, List<String> command, Path log) {
        this.process = process;
        this.address = address;
        this.command = command;
        this.log = log;
    }

    static CoturnProcess start(String host, int port, String secret, int minPort, int maxPort) throws IOException {
        if (!Files.isExecutable(PROGRAM)) {
            throw new IOException(PROGRAM + " is missing: install the Debian package coturn");
        }
        Path log = Files.createTempFile("coturn-bench", ".log");
        List<String> command = List.of(PROGRAM.toString(), "-n", "--no-cli", "--no-tls", "--no-dtls",
                "--use-auth-secret", "--static-auth-secret=" + secret, "--realm=bench", "--allow-loopback-peers",
                "-L", host, "--listening-port", Integer.toString(port),
                "--min-port", Integer.toString(minPort), "--max-port", Integer.toString(maxPort),
                "--log-file", log.toString(), "--no-stdout-log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (!StunProbe.awaitAnswering(address, Duration.ofSeconds(30), p::isAlive)) {
            p.destroyForcibly();
            throw new IOException("coturn did not answer on " + host + ":" + port + "; log: " + log);
        }
        return new CoturnProcess(p, address, command, log);
    }

    @Override
    public String name() {
        return "coturn";
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String describe() {
        return "coturn: " + String.join(" ", command.subList(0, command.indexOf("--log-file"))).replace(PROGRAM.toString(), "turnserver")
                .replaceAll("--static-auth-secret=\\S+", "--static-auth-secret=S");
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
        // coturn adds the date to the log file's name.
        String stem = log.getFileName().toString().replace(".log", "");
        try (var files = Files.list(log.getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(stem)).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // a log left in the temp directory is harmless
        }
    }
}
