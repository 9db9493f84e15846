package chatmail.dns;

import chatmail.testing.MissingProgram;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Type;

/**
 * A real authoritative DNS server (NSD from Debian) on a free loopback port, serving zone files a
 * test writes. Missing {@code nsd}: the test is skipped with a message, or fails when CI=true
 * ({@code scripts/install-test-deps} installs it).
 */
public final class NsdServer implements AutoCloseable {

    private static final Path NSD = Path.of("/usr/sbin/nsd");

    private final Path dir;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private int port;
    private Process process;

    private NsdServer(Path dir) {
        this.dir = dir;
    }

    /** Checks that nsd is installed (skip, or fail on CI) and prepares a server in {@code dir}. */
    public static NsdServer in(Path dir) {
        if (!Files.isExecutable(NSD)) {
            String message = "nsd (Debian package nsd) is not installed; run scripts/install-test-deps";
            throw MissingProgram.report(message);
        }
        return new NsdServer(dir);
    }

    /**
     * Sets a zone's records (BIND syntax, names relative to the origin or absolute). A SOA and
     * NS record are added unless {@code records} has a SOA.
     */
    public NsdServer zone(String origin, String records) {
        String o = origin.endsWith(".") ? origin : origin + ".";
        StringBuilder text = new StringBuilder();
        text.append("$ORIGIN ").append(o).append('\n').append("$TTL 300\n");
        if (!records.contains(" SOA ")) {
            text.append("@ IN SOA ns1.").append(o).append(" hostmaster.").append(o).append(" 1 3600 600 86400 300\n");
            text.append("@ IN NS ns1.").append(o).append('\n');
        }
        text.append(records).append('\n');
        zones.put(o.substring(0, o.length() - 1), text.toString());
        return this;
    }

    /** Starts NSD (or restarts it with the current zones) and waits until it answers. */
    public NsdServer start() throws IOException, InterruptedException {
        stop();
        if (port == 0) {
            port = freePort();
        }
        StringBuilder conf = new StringBuilder();
        conf.append("server:\n")
                .append("  ip-address: 127.0.0.1@").append(port).append('\n')
                .append("  username: \"\"\n  chroot: \"\"\n  database: \"\"\n")
                .append("  zonesdir: \"").append(dir).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
                .append("  xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
                .append("  zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
                .append("  logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
                .append("  server-count: 1\n  verbosity: 1\n")
                .append("remote-control:\n  control-enable: no\n");
        for (var zone : zones.entrySet()) {
            Path file = dir.resolve(zone.getKey() + ".zone");
            Files.writeString(file, zone.getValue(), StandardCharsets.UTF_8);
            conf.append("zone:\n  name: \"").append(zone.getKey()).append("\"\n  zonefile: \"")
                    .append(file.getFileName()).append("\"\n");
        }
        Path confFile = dir.resolve("nsd.conf");
        Files.writeString(confFile, conf.toString(), StandardCharsets.UTF_8);
        Files.deleteIfExists(dir.resolve("zone.list"));
        process = new ProcessBuilder(NSD.toString(), "-d", "-c", confFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.out").toFile())
                .start();
        awaitAnswering();
        return this;
    }

    private void awaitAnswering() throws IOException, InterruptedException {
        DnsResolver probe = new DnsResolver(List.of(address()), Duration.ofMillis(200));
        String zone = zones.keySet().iterator().next();
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("nsd exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (probe.query(zone, Type.SOA) instanceof DnsAnswer.Records) {
                    return;
                }
            } catch (DnsTemporaryException notYet) {
                // nsd is still loading its zones; the query's own timeout paces this loop
            }
        }
        throw new IOException("nsd did not answer within 20 s: " + log());
    }

    private String log() throws IOException {
        Path out = dir.resolve("nsd.out");
        Path log = dir.resolve("nsd.log");
        return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
    }

    /** The {@code dns_resolver} value for a config: {@code 127.0.0.1:<port>}. */
    public String resolverSetting() {
        return "127.0.0.1:" + port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public DnsResolver resolver(Duration timeout) {
        return new DnsResolver(List.of(address()), timeout);
    }

    /** Stops the server; queries then time out (a "DNS server down"). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        process = null;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port free for both UDP and TCP on 127.0.0.1 right now. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free UDP+TCP port on 127.0.0.1");
    }
}
