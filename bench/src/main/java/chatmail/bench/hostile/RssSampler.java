package chatmail.bench.hostile;

import chatmail.bench.ProcessMemory;
import java.util.ArrayList;
import java.util.List;

/** The relay's resident set, read from /proc once a second on a thread of its own. */
final class RssSampler implements AutoCloseable {

    record Sample(long nanos, long rssBytes) {}

    private final long pid;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    RssSampler(long pid) {
        this.pid = pid;
        this.thread = Thread.ofPlatform().daemon().name("rss-sampler").start(this::sample);
    }

    private void sample() {
        while (running) {
            long rss = ProcessMemory.ofTree(pid).rssBytes();
            if (rss > 0) {
                synchronized (samples) {
                    samples.add(new Sample(System.nanoTime(), rss));
                }
            }
            Attack.pause(1000);
        }
    }

    /** Samples taken between the two {@link System#nanoTime()} values. */
    List<Sample> between(long from, long to) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.nanos() >= from && s.nanos() <= to).toList();
        }
    }

    static double medianMiB(List<Sample> s) {
        double[] v = s.stream().mapToDouble(x -> x.rssBytes() / 1048576.0).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    static double maxMiB(List<Sample> s) {
        return s.stream().mapToDouble(x -> x.rssBytes() / 1048576.0).max().orElse(Double.NaN);
    }

    static double minMiB(List<Sample> s) {
        return s.stream().mapToDouble(x -> x.rssBytes() / 1048576.0).min().orElse(Double.NaN);
    }

    /** Largest distance of a sample from the window's median, in percent of the median. */
    static double spreadPercent(List<Sample> s) {
        double median = medianMiB(s);
        return s.stream().mapToDouble(x -> Math.abs(x.rssBytes() / 1048576.0 - median) / median * 100).max().orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }

    List<Sample> all() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }
}
