package chatmail.deltachat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Every event of one account, kept from the moment the account exists (the core starts I/O by
 * itself once a transport is configured, so nothing may be dropped while a test is busy
 * elsewhere). Tests take a {@link #mark()} before acting and await what follows it.
 */
final class EventLog {

    private final List<DcEvent> events = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private volatile String closedBecause;
    private volatile String name;

    /** @param name for the file the log is written to when a wait fails */
    EventLog(String name) {
        this.name = name;
    }

    void rename(String newName) {
        this.name = newName;
    }

    private volatile java.util.function.Supplier<String> onFailure = this::dump;

    /** What a failed wait does besides throwing: by default this log's dump; the core dumps all its profiles. */
    void onFailure(java.util.function.Supplier<String> action) {
        this.onFailure = action;
    }

    void add(DcEvent event) {
        lock.lock();
        try {
            events.add(event);
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more events will come (the core is gone); waiters fail at once instead of timing out. */
    void close(String why) {
        lock.lock();
        try {
            closedBecause = why;
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The position after the last event so far. */
    int mark() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }

    /** The events at and after {@code from}. */
    List<DcEvent> since(int from) {
        lock.lock();
        try {
            return List.copyOf(events.subList(Math.min(from, events.size()), events.size()));
        } finally {
            lock.unlock();
        }
    }

    /** Index of the first event at or after {@code from} that matches, waiting up to {@code timeout}. */
    int awaitIndex(int from, Predicate<DcEvent> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            int i = from;
            while (true) {
                for (; i < events.size(); i++) {
                    if (match.test(events.get(i))) {
                        return i;
                    }
                }
                if (closedBecause != null) {
                    throw new AssertionError("waiting for " + what + ": " + closedBecause + recentProblems(from) + onFailure.get());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + timeout + recentProblems(from) + onFailure.get());
                }
                added.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    DcEvent await(int from, Predicate<DcEvent> match, Duration timeout, String what) {
        int i = awaitIndex(from, match, timeout, what);
        lock.lock();
        try {
            return events.get(i);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes every event to target/deltachat-logs (where CI keeps it) for the one reading a
     * failure; returns a note saying where.
     */
    String dump() {
        try {
            Path dir = Path.of(System.getProperty("user.dir"), "target", "deltachat-logs");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + "-" + System.currentTimeMillis() + ".log");
            StringBuilder b = new StringBuilder();
            for (DcEvent e : since(0)) {
                b.append(e.receivedNanos() / 1_000_000).append(' ').append(e.body()).append('\n');
            }
            Files.writeString(file, b);
            return "\n events of " + name + ": " + file;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The core's warnings and errors since {@code from}: what a failing test should show. */
    String recentProblems(int from) {
        StringBuilder b = new StringBuilder();
        List<DcEvent> recent = since(from);
        for (DcEvent e : recent.subList(Math.max(0, recent.size() - 500), recent.size())) {
            if (e.is("Warning") || e.is("Error") || e.is("ErrorSelfNotInGroup") || e.is("MsgFailed")) {
                b.append("\n  ").append(e.kind()).append(": ").append(e.text().isEmpty() ? e.body() : e.text());
            }
        }
        return b.isEmpty() ? "" : "\n the core reported:" + b;
    }
}
