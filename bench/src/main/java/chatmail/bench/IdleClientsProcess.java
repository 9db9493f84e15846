package chatmail.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link IdleClients} child process seen from the bench: starts it with a heap and file
 * limit for its connections, sends it commands and turns its events into a {@link DeliveryTracker}'s
 * arrivals. A {@link DeliveryWatch}, so a {@link LoadRunner} can use it like an in-process watch.
 */
final class IdleClientsProcess implements DeliveryWatch {

    /** What one {@code connect} achieved; {@code lastIdleNanos} is when the last connection entered IDLE. */
    record Connected(int ok, int failed, long lastIdleNanos, String firstFailure) {}

    private final Process process;
    private final OutputStream commands;
    private final Object lock = new Object();
    private final AtomicLong closedUnexpectedly = new AtomicLong();
    private volatile DeliveryTracker tracker;
    private volatile boolean expectingCloses;
    private boolean ready;
    private boolean dropped;
    private int open;
    private Connected connected;

    private IdleClientsProcess(Process process) {
        this.process = process;
        this.commands = process.getOutputStream();
        Thread.ofPlatform().daemon().name("idle-clients-events").start(this::readEvents);
    }

    /**
     * Starts the generator for accounts {@code 0 … count-1} of {@code target} and waits until it is ready.
     *
     * @param jvmOptions extra JVM options (a JFR recording, say), after the bench's own
     * @param log where the child's stderr goes
     */
    static IdleClientsProcess start(BenchTarget target, int count, int sources, int parallelism, List<String> jvmOptions,
                                    Path log)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        // About 25 KiB of heap per idle TLS connection on the client side, but up to ten times
        // that while 200 handshakes and logins are under way: 1.4 GiB for 18,000 connections
        // ended in an OutOfMemoryError (exit status 3) during the first logins.
        command.add("-Xmx" + (256 + count / 6) + "m");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IdleClients.class.getName());
        command.addAll(List.of(target.host(), Integer.toString(target.imapsPort()), target.domain(), target.password(),
                Integer.toString(count), Integer.toString(sources), Integer.toString(parallelism)));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        IdleClientsProcess clients = new IdleClientsProcess(p);
        synchronized (clients.lock) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!clients.ready) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new IOException("the IDLE load generator did not start; its log: " + log);
                }
                clients.lock.wait(Math.max(1, left / 1_000_000));
            }
        }
        return clients;
    }

    long pid() {
        return process.pid();
    }

    /** Connects every account not connected yet and waits until all are in IDLE or have given up. */
    Connected connect(DeliveryTracker tracker, Duration timeout) throws IOException, InterruptedException {
        this.tracker = tracker;
        expectingCloses = false;
        synchronized (lock) {
            connected = null;
        }
        send("connect");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (connected == null) {
                long left = deadline - System.nanoTime();
                if (!process.isAlive()) {
                    throw new IOException(ended() + " while its clients were connecting");
                }
                if (left <= 0) {
                    throw new IOException("the IDLE clients did not finish connecting within " + timeout.toSeconds() + " s");
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return connected;
        }
    }

    /** Closes every connection from the client side (devices losing their network), the relay still running. */
    void drop(Duration timeout) throws IOException, InterruptedException {
        synchronized (lock) {
            dropped = false;
        }
        send("drop");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!dropped) {
                long left = deadline - System.nanoTime();
                if (!process.isAlive()) {
                    throw new IOException(ended() + " while dropping its connections");
                }
                if (left <= 0) {
                    throw new IOException("the IDLE clients did not drop their connections within " + timeout.toSeconds() + " s");
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** The relay is about to stop: its closing the connections is no failure. */
    void expectCloses() {
        expectingCloses = true;
    }

    /** Waits until the generator has seen every connection closed (after the relay stopped). */
    boolean awaitAllClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (open > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Connections in IDLE as far as the generator has reported. */
    int open() {
        synchronized (lock) {
            return open;
        }
    }

    @Override
    public void start(DeliveryTracker tracker) throws IOException, InterruptedException {
        Connected c = connect(tracker, Duration.ofMinutes(30));
        if (c.failed() > 0) {
            throw new IOException(c.failed() + " IDLE connections failed; first: " + c.firstFailure());
        }
    }

    @Override
    public String description() {
        return "IMAP IDLE over TLS from a separate process";
    }

    @Override
    public long failures() {
        return closedUnexpectedly.get();
    }

    @Override
    public void close() {
        try {
            send("quit");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void send(String command) throws IOException {
        synchronized (commands) {
            commands.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            commands.flush();
        }
    }

    private void readEvents() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ", 5);
                switch (f[0]) {
                    case "arrived" -> tracker.arrived(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
                    case "watching" -> {
                        tracker.watching(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                        synchronized (lock) {
                            open++;
                        }
                    }
                    case "closed" -> {
                        if (!expectingCloses) {
                            closedUnexpectedly.incrementAndGet();
                        }
                        synchronized (lock) {
                            open--;
                            lock.notifyAll();
                        }
                    }
                    case "stuck" -> {
                        String[] s = line.split(" ", 4);
                        System.err.println("IDLE load generator: " + s[1] + " connections setting up, " + s[2]
                                + " attempts cut at their deadline; the oldest: " + (s.length > 3 ? s[3] : "-"));
                    }
                    case "dropped" -> {
                        synchronized (lock) {
                            // The generator closed them itself: no "closed" events follow.
                            open -= Integer.parseInt(f[1]);
                            dropped = true;
                            lock.notifyAll();
                        }
                    }
                    case "ready" -> {
                        synchronized (lock) {
                            ready = true;
                            lock.notifyAll();
                        }
                    }
                    case "connected" -> {
                        synchronized (lock) {
                            connected = new Connected(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                                    f.length > 4 ? f[4] : "-");
                            lock.notifyAll();
                        }
                    }
                    // The JVM's own last words (ExitOnOutOfMemoryError writes to stdout).
                    default -> System.err.println("IDLE load generator: " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process ended: the waiters below are woken to notice it.
        }
        // The pipe ends as the process does; wait until it is reaped, so that a caller woken
        // below finds it not alive (else it would wait out its whole time-out, 30 minutes).
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Why waiting is over when the generator is gone: its exit status, and where its log is. */
    private String ended() {
        try {
            return "the IDLE load generator ended with status " + process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the IDLE load generator ended";
        }
    }
}
