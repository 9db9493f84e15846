package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens many IMAP IDLE connections (TLS, optionally COMPRESS=DEFLATE) from several loopback
 * source addresses, then measures the server's memory growth per held connection and checks,
 * by ending IDLE on each, how many the server really still holds.
 */
public final class CapacityRun {

    public record Result(String target, boolean compress, int requested, int opened, int held, long failures,
                         String firstFailure, ProcessMemory before, ProcessMemory after, Optional<Long> heapBefore,
                         Optional<Long> heapAfter, Duration openTime) {

        public double rssPerConnectionKiB() {
            return held == 0 ? Double.NaN : (after.rssBytes() - before.rssBytes()) / 1024.0 / held;
        }

        public double pssPerConnectionKiB() {
            return held == 0 ? Double.NaN : (after.pssBytes() - before.pssBytes()) / 1024.0 / held;
        }

        public double heapPerConnectionKiB() {
            if (held == 0 || heapBefore.isEmpty() || heapAfter.isEmpty()) {
                return Double.NaN;
            }
            return (heapAfter.get() - heapBefore.get()) / 1024.0 / held;
        }

        public String summary() {
            return String.format(java.util.Locale.ROOT,
                    "%s capacity%s: %d requested, %d opened, %d held (%d failed%s) in %.1f s; "
                            + "RSS %.1f -> %.1f MiB (%.1f KiB/conn), PSS %.1f KiB/conn, heap %.1f KiB/conn",
                    target, compress ? " with COMPRESS" : "", requested, opened, held, failures,
                    firstFailure == null ? "" : ", first: " + firstFailure, openTime.toMillis() / 1000.0,
                    before.rssMiB(), after.rssMiB(), rssPerConnectionKiB(), pssPerConnectionKiB(), heapPerConnectionKiB());
        }
    }

    private CapacityRun() {}

    /**
     * @param accounts connection {@code i} logs in as bench account {@code i % accounts}
     * @param settle how long to let the server settle before measuring
     */
    public static Result run(ServerUnderTest server, ClientTls tls, int connections, int accounts, boolean compress,
                             int parallelism, Duration settle, PrintWriter progress) throws InterruptedException {
        BenchTarget target = server.target();
        Optional<Long> heapBefore = server.liveHeap();
        ProcessMemory before = server.imapMemory();
        List<ImapIdler> open = Collections.synchronizedList(new ArrayList<>(connections));
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        int maxFailures = Math.max(50, connections / 100);
        Semaphore permits = new Semaphore(parallelism);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections && failures.get() < maxFailures; i++) {
                int index = i;
                permits.acquire();
                pool.submit(() -> {
                    try {
                        open.add(ImapIdler.open(tls, target.nextSource(), target.host(), target.imapsPort(),
                                target.address(index % accounts), target.password(), compress));
                        int n = open.size();
                        if (n % 2000 == 0) {
                            progress.printf("  %s: %d connections idle%n", target.name(), n);
                            progress.flush();
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        Duration openTime = Duration.ofNanos(System.nanoTime() - t0);
        Thread.sleep(settle);
        Optional<Long> heapAfter = server.liveHeap();
        ProcessMemory after = server.imapMemory();
        AtomicInteger held = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ImapIdler c : open) {
                permits.acquire();
                pool.submit(() -> {
                    try {
                        if (c.endIdle(30_000)) {
                            held.incrementAndGet();
                        }
                    } finally {
                        c.close();
                        permits.release();
                    }
                });
            }
        }
        return new Result(target.name(), compress, connections, open.size(), held.get(), failures.get(), firstFailure.get(),
                before, after, heapBefore, heapAfter, openTime);
    }

    /** This process's open-file limit, which bounds how many connections one client process holds. */
    public static long openFileLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
