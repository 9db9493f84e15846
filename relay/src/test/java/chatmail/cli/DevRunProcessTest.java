package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import chatmail.account.SmtpsLogin;
import chatmail.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatmail run} as a real child process in an empty directory: dev mode on the fixed
 * dev ports, loopback only, a usable dclogin link, and a clean stop on SIGTERM.
 */
class DevRunProcessTest {

    private static final int[] DEV_PORTS = {2525, 5587, 4465};
    private static final long START_SECONDS = 60;
    private static final long STOP_SECONDS = 10;

    @TempDir
    Path workDir;

    @Test
    void devModeRunsOnLoopbackPrintsALoginLinkAndStopsOnSigterm() throws Exception {
        for (int port : DEV_PORTS) {
            assertPortFree(port);
        }
        Path stderr = workDir.resolve("stderr.log");
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class, "run"))
                .directory(workDir.toFile())
                .redirectError(stderr.toFile());
        pb.environment().remove("CHATMAIL_INI");
        Process child = pb.start();
        try {
            List<String> out = readUntil(child.getInputStream(), "dclogin:", START_SECONDS);
            String text = String.join("\n", out);

            assertThat(out.getFirst()).startsWith("chatmail relay for chatmail.localhost (dev mode), data in "
                    + workDir.toRealPath().resolve("data"));
            assertThat(text).contains("smtp         127.0.0.1:2525", "submission   127.0.0.1:5587",
                    "submissions  127.0.0.1:4465", "turn         127.0.0.1:13478");

            Map<String, String> link = dclogin(out.getLast().strip());
            assertThat(link.get("email")).matches("[a-z0-9]{9}@chatmail\\.localhost");
            assertThat(link.get("p")).hasSize(12);
            assertThat(link).containsEntry("v", "1").containsEntry("ic", "3")
                    .containsEntry("ih", "127.0.0.1").containsEntry("ip", "1993").containsEntry("is", "ssl")
                    .containsEntry("sh", "127.0.0.1").containsEntry("sp", "4465").containsEntry("ss", "ssl");

            assertThat(listeningAddresses(child.pid()))
                    .as("every listening socket of the dev relay")
                    .containsOnly("127.0.0.1")
                    .isNotEmpty();
            assertThat(listeningPorts(child.pid())).contains(2525, 5587, 4465, 13478);

            try (Socket s = new Socket("127.0.0.1", 2525)) {
                s.setSoTimeout(10_000);
                String greeting = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertThat(greeting).startsWith("220 chatmail.localhost ");
            }

            // The printed credentials work: the first login creates the account.
            SSLContext trustDevCertificate = trusting(workDir.resolve("data/tls/cert.pem"));
            assertThat(new SmtpsLogin(trustDevCertificate, 4465).authPlain(link.get("email"), link.get("p")))
                    .startsWith("235 ");

            child.destroy(); // SIGTERM
            assertThat(child.waitFor(STOP_SECONDS, TimeUnit.SECONDS))
                    .as("exits within %d s of SIGTERM", STOP_SECONDS).isTrue();
            assertThat(child.exitValue()).as("killed by SIGTERM after running the shutdown hook").isEqualTo(143);
        } finally {
            child.destroyForcibly();
            child.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
        }

        String log = Files.readString(stderr);
        assertThat(log).containsOnlyOnce("chatmail relay for chatmail.localhost ready in ");
        assertThat(log).contains("listening: smtp 2525, submission 5587, submissions 4465");
        assertThat(log).containsPattern("INFO  Relay: chatmail relay for chatmail.localhost stopped in \\d+ ms");
        assertThat(log).as("no stack traces, no errors").doesNotContain("Exception", "ERROR");
        assertThat(log).as("no client addresses in the log").doesNotContain("127.0.0.1");
        assertThat(log).as("no credentials in the log").doesNotContain("dclogin");
        for (int port : DEV_PORTS) {
            assertPortFree(port);
        }
    }

    @Test
    void aDevPortInUseIsReportedWithoutAStackTrace() throws Exception {
        assertPortFree(2525);
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 2525));
            ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(Main.class, "run")).directory(workDir.toFile());
            pb.environment().remove("CHATMAIL_INI");
            Process child = pb.start();
            try {
                assertThat(child.waitFor(START_SECONDS, TimeUnit.SECONDS)).isTrue();
                String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.exitValue()).isEqualTo(1);
                assertThat(err).contains("chatmail: cannot start: cannot listen for smtp on 127.0.0.1 port 2525")
                        .doesNotContain("\tat ");
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private static void assertPortFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        } catch (IOException e) {
            fail("dev port " + port + " on 127.0.0.1 is in use by another program (" + e.getMessage()
                    + "); this test runs the dev relay on its fixed ports: stop that program and run again");
        }
    }

    /** Lines of {@code in} up to and including the first containing {@code marker}. */
    private static List<String> readUntil(InputStream in, String marker, long seconds) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child went away; the deadline below reports it
            }
        });
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no line with " + marker + " within " + seconds + " s; stdout so far: " + seen);
            }
            seen.add(line);
            if (line.contains(marker)) {
                return seen;
            }
        }
    }

    private static Map<String, String> dclogin(String link) {
        assertThat(link).startsWith("dclogin:");
        Map<String, String> fields = new LinkedHashMap<>();
        int q = link.indexOf('?');
        fields.put("email", link.substring("dclogin:".length(), q));
        for (String pair : link.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static SSLContext trusting(Path pem) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(pem)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("dev", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    // ---- the child's listening sockets, from /proc

    private record Listener(String address, int port) {}

    private static Set<String> listeningAddresses(long pid) throws IOException {
        Set<String> addresses = new HashSet<>();
        for (Listener l : listeners(pid)) {
            addresses.add(l.address());
        }
        return addresses;
    }

    private static Set<Integer> listeningPorts(long pid) throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (Listener l : listeners(pid)) {
            ports.add(l.port());
        }
        return ports;
    }

    /**
     * TCP sockets in LISTEN state and bound UDP sockets (TURN) owned by the process: its socket
     * inodes matched in /proc/net/tcp, tcp6, udp and udp6.
     */
    private static List<Listener> listeners(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd closed while listing is not a listener
                }
            }
        }
        List<Listener> result = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6")) {
            String listening = table.contains("udp") ? "07" : "0A";
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // f[1] local address:port in hex, f[3] state (0A = TCP LISTEN, 07 = UDP unconnected), f[9] inode
                if (f[3].equals(listening) && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    result.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
                }
            }
        }
        return result;
    }

    /**
     * /proc/net/tcp and tcp6 write an address as 32-bit words, each little-endian in hex. The JDK
     * binds IPv4 addresses on dual-stack sockets, which tcp6 shows as {@code ::ffff:127.0.0.1};
     * InetAddress turns such an IPv4-mapped address back into the IPv4 one.
     */
    private static String address(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes).getHostAddress();
    }
}
