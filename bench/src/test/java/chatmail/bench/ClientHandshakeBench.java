package chatmail.bench;

import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.SelfSignedCertificate;
import chatmail.tls.x25519.X25519Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Not a test: the load generator's CPU per TLS 1.3 handshake with JSSE's default groups (a key
 * share for X25519 and one for P-256) against {@link ClientTls#X25519_ONLY}, alternating in one
 * JVM. The client's thread CPU per handshake, against an in-process server with a P-256
 * certificate like the relay's; rounds after the first two are printed.
 *
 * <p>With {@code providers} after the count: X25519 alone each time, alternating between the
 * JDK's providers and ours ({@link X25519Provider} on both sides, {@link P256VerifyProvider} for
 * the client's check), printing the CPU per handshake of the client thread, of the server's
 * threads (one per connection: the handshake, one byte, the close) and of the whole process.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test
 * $JAVA_HOME/bin/java -cp target/classes:target/test-classes:$(cat target/test-cp.txt) \
 *     chatmail.bench.ClientHandshakeBench [handshakes per round]
 * </pre>
 */
public final class ClientHandshakeBench {

    private static final LongAdder SERVER_CPU = new LongAdder();

    private ClientHandshakeBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        boolean providers = args.length > 1 && args[1].equals("providers");
        KeyMaterial key = SelfSignedCertificate.generate("bench.localhost",
                new CertificateNames(Set.of("bench.localhost"), Set.of()), Clock.systemUTC());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "bench".toCharArray();
        store.setKeyEntry("relay", key.privateKey(), password, key.chain().toArray(new java.security.cert.Certificate[0]));
        KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
        keys.init(store, password);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), new TrustManager[0], null);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> serve(listener));
            ClientTls both = new ClientTls(Duration.ofSeconds(10));
            ClientTls x25519 = new ClientTls(Duration.ofSeconds(10), ClientTls.X25519_ONLY);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            String host = listener.getInetAddress().getHostAddress();
            if (providers) {
                compareProviders(x25519, host, listener.getLocalPort(), n);
                return;
            }
            for (int round = 0; round < 6; round++) {
                for (ClientTls tls : new ClientTls[] {both, x25519}) {
                    long cpu = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i++) {
                        try (SSLSocket s = tls.connect(null, host, listener.getLocalPort())) {
                            s.getInputStream().read();
                        }
                    }
                    cpu = threads.getCurrentThreadCpuTime() - cpu;
                    if (round >= 2) {
                        System.out.printf("round %d, %-18s %.3f ms of the client thread's CPU per handshake%n", round,
                                tls == both ? "X25519 and P-256:" : "X25519 alone:", cpu / 1e6 / n);
                    }
                }
            }
        }
    }

    private static void compareProviders(ClientTls tls, String host, int port, int n) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var process = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < 8; round++) {
            boolean ours = round % 2 == 1;
            if (ours) {
                X25519Provider.install();
                P256VerifyProvider.install();
            } else {
                Security.removeProvider(X25519Provider.NAME);
                Security.removeProvider(P256VerifyProvider.NAME);
            }
            long thread = threads.getCurrentThreadCpuTime();
            long all = process.getProcessCpuTime();
            long server = SERVER_CPU.sum();
            for (int i = 0; i < n; i++) {
                try (SSLSocket s = tls.connect(null, host, port)) {
                    s.getInputStream().read();
                }
            }
            thread = threads.getCurrentThreadCpuTime() - thread;
            all = process.getProcessCpuTime() - all;
            server = SERVER_CPU.sum() - server;
            if (round >= 2) {
                System.out.printf("round %d, %-14s client thread %.3f ms, server threads %.3f ms, process %.3f ms"
                        + " CPU per handshake%n", round, ours ? "our providers:" : "JDK providers:", thread / 1e6 / n,
                        server / 1e6 / n, all / 1e6 / n);
            }
        }
    }

    /**
     * Answers each connection with one byte once its handshake is done, then waits for the
     * client's close; on a platform thread each, whose CPU (the server's side) is added up.
     */
    private static void serve(SSLServerSocket listener) {
        while (true) {
            Socket accepted;
            try {
                accepted = listener.accept();
                // As the relay: without it the server's flight waits for delayed ACKs (40 ms a handshake).
                accepted.setTcpNoDelay(true);
            } catch (IOException e) {
                return;
            }
            Thread.ofPlatform().daemon().start(() -> {
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long cpu = threads.getCurrentThreadCpuTime();
                try (accepted) {
                    OutputStream out = accepted.getOutputStream();
                    out.write('x');
                    out.flush();
                    accepted.getInputStream().read();
                } catch (IOException e) {
                    // the client went away
                }
                SERVER_CPU.add(threads.getCurrentThreadCpuTime() - cpu);
            });
        }
    }
}
