package chatmail.bench;

import chatmail.cli.Main;
import chatmail.files.PrivateFiles;
import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import chatmail.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Two of our relays as two processes on loopback, federating as they would on the Internet:
 * each is the MX of its own domain in a real DNS server (NSD) that both ask
 * ({@code dns_resolver}), with the zone {@code chatmail dns} printed for it (MX, DKIM key, ...),
 * a certificate for its domain that the other trusts ({@code trusted_ca_file}), and the same port
 * numbers on both addresses ({@code outbound_smtp_port} / {@code outbound_https_port}). The
 * layout of the federation tests (TwoRelays), as separate JVMs started the way
 * {@code ./chatmail run} starts the relay.
 */
final class FederationRelays implements AutoCloseable {
    static final String DOMAIN1 = "fed1.test";
    static final String DOMAIN2 = "fed2.test";

    /** One relay's address, domain and process. */
    static final class Side {
        final String domain;
        final String address;
        Process process;

        Side(String domain, String address) {
            this.domain = domain;
            this.address = address;
        }
    }

    private final Path dir;
    private final NsdProcess nsd;
    private final List<String> jvmOptions;
    private final Path launcher;
    private final int smtpPort;
    private final int submissionsPort;
    private final int imapsPort;
    private final int httpsPort;
    final Side relay1;
    final Side relay2;

    private FederationRelays(Path dir, NsdProcess nsd, List<String> jvmOptions, Path launcher, int[] ports, Side relay1,
            Side relay2) {
        this.dir = dir;
        this.nsd = nsd;
        this.jvmOptions = jvmOptions;
        this.launcher = launcher;
        this.smtpPort = ports[0];
        this.submissionsPort = ports[1];
        this.imapsPort = ports[2];
        this.httpsPort = ports[3];
        this.relay1 = relay1;
        this.relay2 = relay2;
    }

    /**
     * Prepares DNS, certificates and configuration in {@code dir}; the relays are not started yet.
     *
     * @param launcher the {@code chatmail} launcher the relays are started with: this checkout's or another's
     */
    static FederationRelays prepare(Path dir, String address1, String address2, List<String> jvmOptions, Path launcher)
            throws IOException, InterruptedException {
        NsdProcess nsd = NsdProcess.in(dir.resolve("dns"));
        try {
            Side relay1 = new Side(DOMAIN1, address1);
            Side relay2 = new Side(DOMAIN2, address2);
            int[] ports = freePorts(4, address1, address2);
            FederationRelays pair = new FederationRelays(dir, nsd, List.copyOf(jvmOptions), launcher, ports, relay1, relay2);
            StringBuilder trusted = new StringBuilder();
            for (Side side : List.of(relay1, relay2)) {
                KeyMaterial cert = SelfSignedCertificate.generate(side.domain, new CertificateNames(
                        Set.of(side.domain, "mta-sts." + side.domain, "www." + side.domain), Set.of()), Clock.systemUTC());
                PrivateFiles.writeAtomically(pair.keyFile(side), PemFiles.toPem(cert.privateKey()));
                Files.writeString(pair.certFile(side), PemFiles.toPem(cert.chain().toArray()));
                // A self-signed certificate is its own trust anchor: the peer trusts exactly it.
                trusted.append(PemFiles.toPem(cert.chain().toArray()));
                nsd.zone(side.domain, "@ IN A " + side.address);
            }
            Files.writeString(dir.resolve("trusted.pem"), trusted);
            nsd.start();
            for (Side side : List.of(relay1, relay2)) {
                Files.writeString(pair.ini(side), pair.iniText(side), StandardCharsets.UTF_8);
                nsd.zone(side.domain, printedZone(pair.ini(side), side.address));
            }
            nsd.start();
            return pair;
        } catch (IOException | RuntimeException | InterruptedException e) {
            nsd.close();
            throw e;
        }
    }

    /** {@code chatmail dns} for the relay's config: the records an operator would publish. */
    private static String printedZone(Path ini, String address) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "dns", "-c", ini.toString(),
                "--address", address);
        if (code != 0) {
            throw new IOException("chatmail dns failed (" + code + "): " + err);
        }
        return out.toString();
    }

    private Path ini(Side side) {
        return dir.resolve(side.domain + ".ini");
    }

    private Path certFile(Side side) {
        return dir.resolve(side.domain + "-cert.pem");
    }

    private Path keyFile(Side side) {
        return dir.resolve(side.domain + "-key.pem");
    }

    private Path log(Side side) {
        return dir.resolve(side.domain + ".log");
    }

    private String iniText(Side side) {
        return """
                [params]
                mail_domain = %s
                data_dir = %s
                listen_addresses = %s
                smtp_port = %d
                submission_port = 0
                submissions_port = %d
                imap_port = 0
                imaps_port = %d
                http_port = 0
                https_port = %d
                turn_port = 0
                outbound_smtp_port = %d
                outbound_https_port = %d
                dns_resolver = %s
                tls_external_cert_and_key = %s %s
                trusted_ca_file = %s
                # Raised for benchmarking: the bench's few sender accounts send far more than a person.
                max_user_send_per_minute = 100000000
                max_user_send_burst_size = 100000000
                max_imap_connections = 1000000
                max_smtp_connections = 100000
                max_load_1m = 100000
                min_available_memory = 1
                min_free_disk_space = 1
                # The peer is on loopback (SEC-5 refuses such destinations by default).
                allow_private_destinations = true
                """.formatted(side.domain, dir.resolve("data-" + side.domain), side.address, smtpPort, submissionsPort,
                imapsPort, httpsPort, smtpPort, httpsPort, nsd.resolverSetting(), certFile(side), keyFile(side),
                dir.resolve("trusted.pem"));
    }

    BenchTarget target(Side side, List<InetAddress> sources) {
        return new BenchTarget(side.domain, side.address, submissionsPort, imapsPort, side.domain,
                BenchTarget.DEFAULT_PASSWORD, sources);
    }

    /**
     * Starts both relays (side by side) and returns once relay 1 accepts submissions and relay 2
     * accepts on port 25, HTTPS and IMAPS: the time from the start to then.
     */
    Duration start(Duration timeout) throws IOException {
        long t0 = System.nanoTime();
        relay1.process = launch(relay1);
        relay2.process = launch(relay2);
        awaitAccepting(relay1, submissionsPort, timeout);
        awaitAccepting(relay1, smtpPort, timeout);
        awaitAccepting(relay2, smtpPort, timeout);
        awaitAccepting(relay2, httpsPort, timeout);
        awaitAccepting(relay2, imapsPort, timeout);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Through the launcher, as an operator starts a relay: its JVM options, heap policy and AOT cache. */
    private Process launch(Side side) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "--config", ini(side).toString())
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(side).toFile()));
        pb.environment().remove("CHATMAIL_INI");
        pb.environment().put("CHATMAIL_JAVA_OPTS", String.join(" ", jvmOptions));
        return pb.start();
    }

    private void awaitAccepting(Side side, int port, Duration timeout) throws IOException {
        if (!Ports.awaitAccepting(side.address, port, timeout, side.process::isAlive)) {
            throw new IOException(side.domain + " did not accept on port " + port + " within " + timeout.toSeconds()
                    + " s; its log: " + log(side));
        }
    }

    /** Stops both relays (as systemd would, SIGTERM) and waits for their ends. */
    void stop() {
        for (Side side : List.of(relay1, relay2)) {
            if (side.process != null) {
                side.process.destroy();
            }
        }
        for (Side side : List.of(relay1, relay2)) {
            if (side.process != null) {
                try {
                    if (!side.process.waitFor(30, TimeUnit.SECONDS)) {
                        side.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    side.process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                side.process = null;
            }
        }
    }

    @Override
    public void close() {
        stop();
        nsd.close();
    }

    /** {@code count} distinct port numbers free for TCP on every one of {@code addresses} now. */
    private static int[] freePorts(int count, String... addresses) throws IOException {
        int[] ports = new int[count];
        int found = 0;
        for (int attempt = 0; attempt < 200 && found < count; attempt++) {
            int candidate;
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(addresses[0]))) {
                candidate = first.getLocalPort();
            }
            boolean free = true;
            for (int i = 0; i < found; i++) {
                free &= ports[i] != candidate;
            }
            for (String address : addresses) {
                free = free && freeOn(address, candidate);
            }
            if (free) {
                ports[found++] = candidate;
            }
        }
        if (found < count) {
            throw new IOException("not enough ports free on " + String.join(", ", addresses));
        }
        return ports;
    }

    private static boolean freeOn(String address, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
