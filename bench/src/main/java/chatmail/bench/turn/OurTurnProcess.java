package chatmail.bench.turn;

import chatmail.bench.Checkout;
import chatmail.bench.OurRelayProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Our relay as a child JVM with the launcher's flags, only its TURN listener on (every TCP port
 * 0), the bench's secret and loopback peers allowed. The 5 Mbit/s per allocation of TURN-3
 * stays as it is in production.
 */
final class OurTurnProcess implements TurnUnderTest {
    private final Path dir;
    private final Process process;
    private final InetSocketAddress address;
    private String stopped = "";

    private OurTurnProcess(Path dir, Process process, InetSocketAddress address) {
        this.dir = dir;
        this.process = process;
        this.address = address;
    }

    static OurTurnProcess start(String host, int port, String secret, int minPort, int maxPort) throws IOException {
        Path dir = Files.createTempDirectory("chatmail-bench-turn");
        Path ini = dir.resolve("chatmail.ini");
        Files.writeString(ini, """
                [params]
                mail_domain = %s
                data_dir = %s
                listen_addresses = %s
                smtp_port = 0
                submission_port = 0
                submissions_port = 0
                imap_port = 0
                imaps_port = 0
                http_port = 0
                https_port = 0
                turn_port = %d
                turn_secret = %s
                turn_relay_ports = %d-%d
                turn_allow_private_peers = true
                """.formatted(OurRelayProcess.DOMAIN, dir.resolve("data"), host, port, secret, minPort, maxPort),
                StandardCharsets.UTF_8);
        // Through the launcher, so the JVM options (heap policy, collector, AOT cache) are those of a real start.
        List<String> command = List.of(Checkout.launcher().toString(), "run", "--config", ini.toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("relay.log").toFile());
        pb.environment().remove("CHATMAIL_INI");
        Process p = pb.start();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (!StunProbe.awaitAnswering(address, Duration.ofSeconds(120), p::isAlive)) {
            p.destroyForcibly();
            throw new IOException("our relay's TURN did not answer on " + host + ":" + port + "; log: "
                    + dir.resolve("relay.log"));
        }
        return new OurTurnProcess(dir, p, address);
    }

    /** The relay's own count of what it relayed and dropped, from its log once it stopped. */
    String stoppedLine() {
        return stopped;
    }

    @Override
    public String name() {
        return "ours";
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
        return "ours: the relay (started by ./chatmail run) with only turn_port on, "
                + "turn_allow_private_peers, 5 Mbit/s per allocation and direction (TURN-3), one relay thread";
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
        try {
            stopped = Files.readAllLines(dir.resolve("relay.log")).stream()
                    .filter(l -> l.contains("turn: stopped after relaying")).findFirst()
                    .map(l -> l.substring(l.indexOf("turn: "))).orElse("");
        } catch (IOException e) {
            stopped = "";
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
