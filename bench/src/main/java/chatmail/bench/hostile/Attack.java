package chatmail.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One attack of issue 11, run on virtual threads from its own loopback addresses while the
 * legitimate load runs: {@link #start} returns at once, {@link #stop} ends every connection.
 * Workers loop until stopped: an attacker whose connection is closed comes back.
 */
abstract class Attack {

    /** A row of docs/security.md: the attack, the limit that answers it, the measured result. */
    record Row(String attack, String limit, List<String> replies, List<String> results) {}

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    final Tally tally = new Tally();
    private final Set<AttackSocket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    volatile boolean running;

    abstract String name();

    /** Starts the attack's workers. */
    abstract void start();

    /** The attack's row, from what was counted until now. */
    abstract Row row();

    /** Runs {@code work} again and again until stopped; an exception is counted and followed by {@code pauseMillis}. */
    final void loop(String threadName, long pauseMillis, Work work) {
        running = true;
        Thread t = Thread.ofVirtual().name(threadName).start(() -> {
            while (running) {
                try {
                    work.run();
                } catch (Exception e) {
                    if (running) {
                        tally.error(e);
                    }
                }
                if (running && pauseMillis > 0) {
                    pause(pauseMillis);
                }
            }
        });
        synchronized (threads) {
            threads.add(t);
        }
    }

    /** Runs {@code work} once on its own thread; an exception is counted. */
    final void once(String threadName, Work work) {
        running = true;
        Thread t = Thread.ofVirtual().name(threadName).start(() -> {
            try {
                work.run();
            } catch (Exception e) {
                if (running) {
                    tally.error(e);
                }
            }
        });
        synchronized (threads) {
            threads.add(t);
        }
    }

    /** Remembers a connection so {@link #stop} can close it; returns it. */
    final AttackSocket held(AttackSocket s) {
        open.add(s);
        if (!running) {
            s.close();
        }
        return s;
    }

    final void release(AttackSocket s) {
        open.remove(s);
        s.close();
    }

    void stop() throws InterruptedException {
        running = false;
        open.forEach(AttackSocket::close);
        List<Thread> all;
        synchronized (threads) {
            all = List.copyOf(threads);
        }
        for (Thread t : all) {
            t.interrupt();
        }
        for (Thread t : all) {
            t.join(10_000);
        }
        open.forEach(AttackSocket::close);
        open.clear();
    }

    static void pause(long millis) {
        LockSupport.parkNanos(millis * 1_000_000L);
    }

    /** Counters as result lines ("name: n"). */
    final List<String> counterLines() {
        List<String> l = new ArrayList<>();
        tally.counters().forEach((k, v) -> l.add(k + ": " + v));
        if (tally.firstError() != null) {
            l.add("first client error: " + tally.firstError());
        }
        return l;
    }
}
