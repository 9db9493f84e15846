package chatmail.bench;

import chatmail.tls.x25519.X25519Provider;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator's IDLE side as a process of its own ({@code bench bigday} starts it): one
 * process cannot hold both ends of 18,000 connections under a 20,000 open-file limit, and its CPU
 * is then measured apart from the relay's. It holds one IMAP IDLE connection (TLS) per account
 * {@code 0 … count-1}, from the source addresses 127.0.1.1 … 127.0.1.N in turn.
 *
 * <p>Commands on stdin, one per line: {@code connect} (log every account in, SELECT INBOX, IDLE;
 * each connection retries a refused or failed attempt, as a device does), {@code drop} (close
 * every connection, answered by {@code dropped <n>}), {@code quit}. Events on
 * stdout, one per line, times from {@link System#nanoTime()} (the machine's monotonic clock, the
 * same in every process): {@code ready}; {@code watching <i> <exists>} when connection i is in
 * IDLE; {@code arrived <i> <n> <nanos>} when its mailbox grew by n messages (EXPUNGEs are
 * counted, so expiry's deletions are not mistaken for arrivals); {@code closed <i>} when the
 * server ended it; {@code stuck <in progress> <cut> <oldest three>} every 30 s while
 * connections have been setting up for longer (each attempt is cut after 90 s and retried);
 * {@code connected <ok> <failed> <lastIdleNanos> <firstFailure>} when a {@code connect} is done.
 */
public final class IdleClients {

    private static final int ATTEMPTS = 20;
    /** Connections still setting up after this are reported, with where they are. */
    private static final Duration STUCK_REPORT = Duration.ofSeconds(30);
    /**
     * One attempt (connect, TLS, LOGIN, SELECT, IDLE) that takes longer is cut and retried:
     * more than a device would wait, and more than the relay's login deadline (60 s).
     */
    private static final Duration ATTEMPT_DEADLINE = Duration.ofSeconds(90);
    /** How long a connection's event may wait for the next write of events to the bench. */
    private static final Duration EVENT_BATCH = Duration.ofMillis(2);

    private final BenchTarget target;
    // Connect and each read of the set-up (the TLS handshake's included); a whole attempt has ATTEMPT_DEADLINE.
    private final ClientTls tls = new ClientTls(Duration.ofSeconds(60), ClientTls.X25519_ONLY);
    private final int count;
    private final int parallelism;
    private final AtomicReferenceArray<ImapIdler> connections;
    private final AtomicLongArray known;
    private final ConnectAttempts attempts = new ConnectAttempts();
    private final BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
    /** Guarded by {@link #out}: events were written that are not flushed yet. */
    private boolean unflushed;

    private IdleClients(BenchTarget target, int count, int parallelism) {
        this.target = target;
        this.count = count;
        this.parallelism = parallelism;
        this.connections = new AtomicReferenceArray<>(count);
        this.known = new AtomicLongArray(count);
        Thread.ofPlatform().daemon().name("event-flusher").start(this::flushEvents);
    }

    /** Arguments: host port domain password count sources parallelism. */
    public static void main(String[] args) throws Exception {
        // Cheaper handshakes for this process only, which shares the bench machine's cores with
        // the relay: the relay does the same work either way, and devices do theirs on their own
        // CPUs with native TLS (docs/benchmarks.md, "The load generator's TLS").
        X25519Provider.install();
        P256VerifyProvider.install();
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 1; i <= Integer.parseInt(args[5]); i++) {
            sources.add(InetAddress.getByName("127.0.1." + i));
        }
        BenchTarget target = new BenchTarget("ours", args[0], 0, Integer.parseInt(args[1]), args[2], args[3], sources);
        IdleClients clients = new IdleClients(target, Integer.parseInt(args[4]), Integer.parseInt(args[6]));
        clients.emit("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.strip()) {
                case "connect" -> clients.connectAll();
                case "drop" -> clients.dropAll();
                case "quit" -> {
                    clients.closeAll();
                    return;
                }
                default -> clients.emit("error unknown command");
            }
        }
        clients.closeAll();
    }

    private void connectAll() throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong lastIdle = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>("-");
        Semaphore permits = new Semaphore(parallelism);
        Thread watcher = Thread.ofPlatform().daemon().name("connect-deadlines").start(this::watchAttempts);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                if (connections.get(i) != null) {
                    continue;
                }
                int index = i;
                permits.acquire();
                pool.submit(() -> {
                    attempts.begin(index);
                    try {
                        long inIdle = connect(index);
                        lastIdle.accumulateAndGet(inIdle, Math::max);
                        ok.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet("-", e.toString().replace('\n', ' '));
                    } finally {
                        attempts.end(index);
                        permits.release();
                    }
                });
            }
        } finally {
            watcher.interrupt();
        }
        emit("connected " + ok.get() + " " + failed.get() + " " + lastIdle.get() + " " + firstFailure.get());
    }

    /**
     * Opens connection {@code i}, retrying as a device would while the relay is busy or starting;
     * returns when it entered IDLE (before its event is written: a slow reader of this process's
     * events must not count as the relay's time).
     */
    private long connect(int i) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                LockSupport.parkNanos(Math.min(2_000, 100L << Math.min(attempt, 5)) * 1_000_000L);
            }
            attempts.attempt(i, attempt);
            // An interrupt meant for the attempt before (its deadline) must not cut this one.
            Thread.interrupted();
            ImapIdler c;
            try {
                c = ImapIdler.open(tls, target.nextSource(), target.host(), target.imapsPort(), target.address(i),
                        target.password(), false, step -> attempts.step(i, step));
            } catch (IOException e) {
                last = e;
                attempts.failed(i, e);
                continue;
            }
            long inIdle = System.nanoTime();
            known.set(i, c.selectedExists());
            connections.set(i, c);
            event("watching " + i + " " + c.selectedExists());
            c.listen((exists, at) -> {
                long grown = exists - known.getAndSet(i, exists);
                if (grown > 0) {
                    event("arrived " + i + " " + grown + " " + at);
                }
            }, expunged -> known.decrementAndGet(i), () -> {
                connections.compareAndSet(i, c, null);
                event("closed " + i);
            });
            return inIdle;
        }
        throw last;
    }

    /**
     * While connecting: cuts every attempt older than {@link #ATTEMPT_DEADLINE}, and every
     * {@link #STUCK_REPORT} names the connections that have been at it longer than that, with
     * where they wait and why they retry ({@code stuck <in progress> <cut> <first three>}).
     */
    private void watchAttempts() {
        long nextReport = System.nanoTime() + STUCK_REPORT.toNanos();
        int cut = 0;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            cut += attempts.interruptOverdue(ATTEMPT_DEADLINE.toNanos());
            if (System.nanoTime() - nextReport >= 0) {
                nextReport += STUCK_REPORT.toNanos();
                List<String> stuck = attempts.stuck(STUCK_REPORT.toNanos(), 3);
                if (!stuck.isEmpty()) {
                    emit("stuck " + attempts.inProgress() + " " + cut + " " + String.join(" | ", stuck));
                }
            }
        }
    }

    /** Closes every connection, as devices that lost their network do; the next connect logs them in again. */
    private void dropAll() {
        emit("dropped " + closeConnections());
    }

    private void closeAll() {
        closeConnections();
        emit("bye");
    }

    private int closeConnections() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            ImapIdler c = connections.getAndSet(i, null);
            if (c != null) {
                c.close();
                n++;
            }
        }
        return n;
    }

    /** A line the bench waits for (ready, connected, ...): written at once. */
    private void emit(String line) {
        synchronized (out) {
            try {
                out.write(line);
                out.write('\n');
                out.flush();
                unflushed = false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A connection's event (watching, arrived, closed): written within {@link #EVENT_BATCH} by
     * the flusher. They carry their own times, and one write per event made 18,000 connections
     * entering IDLE queue up behind this lock and the pipe.
     */
    private void event(String line) {
        synchronized (out) {
            try {
                out.write(line);
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!unflushed) {
                unflushed = true;
                out.notifyAll();
            }
        }
    }

    private void flushEvents() {
        try {
            while (true) {
                synchronized (out) {
                    while (!unflushed) {
                        out.wait();
                    }
                }
                LockSupport.parkNanos(EVENT_BATCH.toNanos());
                synchronized (out) {
                    out.flush();
                    unflushed = false;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The bench is gone, or this process ends.
        }
    }
}
