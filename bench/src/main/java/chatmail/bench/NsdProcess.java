package chatmail.bench;

import chatmail.dns.DnsAnswer;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Type;

/**
 * NSD (Debian package {@code nsd}, installed by scripts/install-test-deps) on a free port of
 * 127.0.0.1, authoritative for the zones the bench gives it: the DNS the two relays of
 * {@code bench federation} ask. The relay's tests have their own (chatmail.dns.NsdServer, in the
 * test jar with JUnit's skip-or-fail); the bench runs from the product jars only.
 */
final class NsdProcess implements AutoCloseable {
    private static final Path NSD = Path.of("/usr/sbin/nsd");

    private final Path dir;
    private final int port;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private Process process;

    private NsdProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static NsdProcess in(Path dir) throws IOException {
        if (!Files.isExecutable(NSD)) {
            throw new IOException("nsd (Debian package nsd) is not installed; run scripts/install-test-deps");
        }
        return new NsdProcess(Files.createDirectories(dir), freePort());
    }

    /** The {@code dns_resolver} setting that points at this server. */
    String resolverSetting() {
        return "127.0.0.1:" + port;
    }

    /** Sets a zone's records (BIND syntax); a SOA and NS record are added. */
    NsdProcess zone(String origin, String records) {
        String o = origin + ".";
        zones.put(origin, "$ORIGIN " + o + "\n$TTL 300\n"
                + "@ IN SOA ns1." + o + " hostmaster." + o + " 1 3600 600 86400 300\n"
                + "@ IN NS ns1." + o + "\n" + records + "\n");
        return this;
    }

    /** (Re)starts NSD with the current zones and waits until it answers for the first. */
    void start() throws IOException, InterruptedException {
        stop();
        StringBuilder conf = new StringBuilder("server:\n  ip-address: 127.0.0.1@" + port + "\n"
                + "  username: \"\"\n  chroot: \"\"\n  database: \"\"\n"
                + "  zonesdir: \"" + dir + "\"\n  pidfile: \"" + dir.resolve("nsd.pid") + "\"\n"
                + "  xfrdfile: \"" + dir.resolve("xfrd.state") + "\"\n  zonelistfile: \"" + dir.resolve("zone.list") + "\"\n"
                + "  logfile: \"" + dir.resolve("nsd.log") + "\"\n  server-count: 1\n  verbosity: 1\n"
                + "remote-control:\n  control-enable: no\n");
        for (var zone : zones.entrySet()) {
            Files.writeString(dir.resolve(zone.getKey() + ".zone"), zone.getValue(), StandardCharsets.UTF_8);
            conf.append("zone:\n  name: \"").append(zone.getKey()).append("\"\n  zonefile: \"")
                    .append(zone.getKey()).append(".zone\"\n");
        }
        Path confFile = dir.resolve("nsd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        Files.deleteIfExists(dir.resolve("zone.list"));
        process = new ProcessBuilder(NSD.toString(), "-d", "-c", confFile.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.out").toFile()).start();
        DnsResolver probe = new DnsResolver(List.of(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port)),
                Duration.ofMillis(200));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nsd exited with " + process.exitValue() + "; see " + dir.resolve("nsd.out"));
            }
            try {
                if (probe.query(zones.keySet().iterator().next(), Type.SOA) instanceof DnsAnswer.Records) {
                    return;
                }
            } catch (DnsTemporaryException notYet) {
                // still loading; the query's timeout paces this loop
            }
        }
        throw new IOException("nsd did not answer within 20 s; see " + dir.resolve("nsd.log"));
    }

    void stop() throws InterruptedException {
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

    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                try (ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free UDP+TCP port on 127.0.0.1");
    }
}
