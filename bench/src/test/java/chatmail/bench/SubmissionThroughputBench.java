package chatmail.bench;

import chatmail.smtp.ServerReply;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.testing.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: measures submission on port 465 against a whole relay on loopback, with the real
 * store (fsync on every commit). N encrypted messages of about 4 KiB, first over one TLS
 * connection, then spread over C concurrent connections. Prints messages per second and the
 * accept latency from the end of DATA to the 250.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp target/classes:target/test-classes:$(cat target/test-cp.txt) \
 *     chatmail.bench.SubmissionThroughputBench [N] [C]
 * </pre>
 */
public final class SubmissionThroughputBench {

    private static final int MESSAGE_SIZE = 4096;
    private static final int WARM_UP = 100;

    private SubmissionThroughputBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = Files.createTempDirectory("chatmail-bench");
        try (TestRelay relay = TestRelay.start(dir, b -> {
            // The rate limit is not what is measured here.
            b.maxUserSendPerMinute = 1_000_000;
            b.maxUserSendBurstSize = 1_000_000;
        })) {
            int port = relay.port("submissions");
            List<String> senders = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                senders.add(SmtpFixtures.account(relay));
            }
            String recipient = SmtpFixtures.account(relay);
            byte[][] messages = new byte[connections][];
            for (int i = 0; i < connections; i++) {
                messages[i] = SmtpClient.dotStuffed(SmtpFixtures.encrypted(senders.get(i), recipient, MESSAGE_SIZE));
            }
            System.out.printf("message size %d bytes, %d cores%n", messages[0].length,
                    Runtime.getRuntime().availableProcessors());

            run(port, senders.subList(0, 1), recipient, messages, WARM_UP);
            report("warm-up, 1 connection", WARM_UP, run(port, senders.subList(0, 1), recipient, messages, WARM_UP));
            report("1 connection", n, run(port, senders.subList(0, 1), recipient, messages, n));
            report(connections + " connections", n, run(port, senders, recipient, messages, n));
        } finally {
            deleteTree(dir);
        }
    }

    private record Result(long wallNanos, long[] latencies) {}

    /** Sends n messages spread over one connection per sender; returns wall time and latencies. */
    private static Result run(int port, List<String> senders, String recipient, byte[][] messages, int n) throws Exception {
        int c = senders.size();
        long[] latencies = new long[n];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int k = 0; k < c; k++) {
                int worker = k;
                done.add(pool.submit(() -> {
                    String from = senders.get(worker);
                    try (SmtpClient client = SmtpClient.ready(port, true)) {
                        client.expect(client.authPlain(from, SmtpFixtures.PASSWORD), 235);
                        for (int i = worker; i < n; i += c) {
                            // Delta Chat pipelines the envelope; then the body.
                            client.write("MAIL FROM:<" + from + ">\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n");
                            client.expect(client.readReply(), 250);
                            client.expect(client.readReply(), 250);
                            client.expect(client.readReply(), 354);
                            long t0 = System.nanoTime();
                            client.write(messages[worker]);
                            ServerReply r = client.readReply();
                            latencies[i] = System.nanoTime() - t0;
                            client.expect(r, 250);
                        }
                        client.command("QUIT");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return new Result(System.nanoTime() - start, latencies);
        }
    }

    private static void report(String name, int n, Result r) {
        long[] sorted = r.latencies().clone();
        Arrays.sort(sorted);
        System.out.printf("%-22s %5d msgs in %6.2f s = %7.1f msgs/s; accept latency median %6.2f ms, p99 %6.2f ms, max %6.2f ms%n",
                name, n, r.wallNanos() / 1e9, n / (r.wallNanos() / 1e9),
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
