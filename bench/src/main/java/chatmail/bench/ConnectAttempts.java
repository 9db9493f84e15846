package chatmail.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections a load generator is setting up right now, each with the step it is in
 * (connect, TLS, LOGIN, ...), its last failure and its thread, so that one that does not come
 * back can be named with where it waits and why it retries, instead of leaving a bare count of
 * missing permits (the full-scale bigday run of 2026-12-06 stalled that way with no clue), and
 * so that an attempt past its deadline can be cut.
 */
final class ConnectAttempts {

    /** One connection's set-up: the step it reached and since when (nanoTime), its current attempt's start. */
    private static final class Attempt {
        final Thread thread = Thread.currentThread();
        volatile String step = "start";
        volatile long stepSince = System.nanoTime();
        volatile long attemptSince = stepSince;
        volatile int attempt;
        volatile boolean cut;
        volatile String lastFailure = "none";
        final long since = stepSince;
    }

    private final ConcurrentHashMap<Integer, Attempt> open = new ConcurrentHashMap<>();

    /** Connection {@code index} starts setting up on the calling thread. */
    void begin(int index) {
        open.put(index, new Attempt());
    }

    /** Connection {@code index} starts attempt number {@code attempt} (0: the first). */
    void attempt(int index, int attempt) {
        Attempt a = open.get(index);
        if (a != null) {
            a.attempt = attempt;
            a.attemptSince = System.nanoTime();
            a.cut = false;
        }
    }

    /** Connection {@code index}'s attempt failed; it may try again. */
    void failed(int index, Exception e) {
        Attempt a = open.get(index);
        if (a != null) {
            a.lastFailure = e.toString().replace('\n', ' ');
        }
    }

    /**
     * Interrupts the threads whose current attempt began more than {@code deadlineNanos} ago,
     * once per attempt, and returns how many it interrupted now: a virtual thread blocked on a socket then has it closed and gets a
     * SocketException, whatever step it is in (the read timeouts bound each read, not a
     * server that answers a byte at a time, nor a write).
     */
    int interruptOverdue(long deadlineNanos) {
        long now = System.nanoTime();
        int n = 0;
        for (Attempt a : open.values()) {
            if (!a.cut && now - a.attemptSince > deadlineNanos && a.thread.isVirtual()) {
                a.cut = true;
                a.thread.interrupt();
                n++;
            }
        }
        return n;
    }

    /** Connection {@code index} moved on to {@code step}. */
    void step(int index, String step) {
        Attempt a = open.get(index);
        if (a != null) {
            a.step = step;
            a.stepSince = System.nanoTime();
        }
    }

    /** Connection {@code index} is set up or has given up. */
    void end(int index) {
        open.remove(index);
    }

    int inProgress() {
        return open.size();
    }

    /**
     * One line per connection that has been setting up for longer than {@code olderThanNanos},
     * oldest first, at most {@code max}: its index, step, time in the step and in all, its last
     * failure, and the top frames of its thread.
     */
    List<String> stuck(long olderThanNanos, int max) {
        long now = System.nanoTime();
        List<java.util.Map.Entry<Integer, Attempt>> old = new ArrayList<>();
        for (var e : open.entrySet()) {
            if (now - e.getValue().since > olderThanNanos) {
                old.add(e);
            }
        }
        old.sort(Comparator.comparingLong(e -> e.getValue().since));
        List<String> lines = new ArrayList<>();
        for (var e : old.subList(0, Math.min(max, old.size()))) {
            Attempt a = e.getValue();
            StringBuilder frames = new StringBuilder();
            StackTraceElement[] trace = a.thread.getStackTrace();
            for (int i = 0; i < Math.min(8, trace.length); i++) {
                frames.append(i == 0 ? "" : " < ").append(trace[i].getClassName().replaceAll(".*\\.", ""))
                        .append('.').append(trace[i].getMethodName());
            }
            lines.add(String.format(Locale.ROOT, "%d in %s for %.1f s (attempt %d, %.1f s in all; last failure: %s) at %s",
                    e.getKey(), a.step, (now - a.stepSince) / 1e9, a.attempt + 1, (now - a.since) / 1e9, a.lastFailure,
                    frames));
        }
        return lines;
    }
}
