package chatmail.bench.hostile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an attack saw, counted from many threads: each distinct reply line of the relay (at most
 * 20 kinds kept; more end up as "other"), named counters, and samples of durations in seconds.
 */
final class Tally {
    private static final int MAX_KINDS = 20;

    private final Map<String, LongAdder> replies = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentSkipListMap<>();
    private final Map<String, List<Double>> seconds = new ConcurrentHashMap<>();
    private volatile String firstError;

    void reply(String line) {
        String key = line == null ? "(closed by the relay, nothing said)" : line;
        if (!replies.containsKey(key) && replies.size() >= MAX_KINDS) {
            key = "(other)";
        }
        replies.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    void count(String name) {
        add(name, 1);
    }

    void add(String name, long n) {
        counters.computeIfAbsent(name, k -> new LongAdder()).add(n);
    }

    long get(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    void seconds(String name, double value) {
        seconds.computeIfAbsent(name, k -> Collections.synchronizedList(new ArrayList<>())).add(value);
    }

    void error(Exception e) {
        count("client errors");
        if (firstError == null) {
            firstError = e.toString();
        }
    }

    /** Replies seen, most frequent first: {@code 12× 421 4.7.0 …}. */
    List<String> replies() {
        List<Map.Entry<String, Long>> e = new ArrayList<>();
        replies.forEach((k, v) -> e.add(Map.entry(k, v.sum())));
        e.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return e.stream().map(x -> x.getValue() + "× " + x.getKey()).toList();
    }

    long replies(String prefix) {
        return replies.entrySet().stream().filter(x -> x.getKey().startsWith(prefix)).mapToLong(x -> x.getValue().sum()).sum();
    }

    Map<String, Long> counters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** {@code name: n, median x s, max y s}; empty when no sample. */
    String durations(String name) {
        List<Double> v = seconds.get(name);
        if (v == null || v.isEmpty()) {
            return "";
        }
        double[] s;
        synchronized (v) {
            s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return String.format(Locale.ROOT, "%s: %d, min %.1f s, median %.1f s, max %.1f s", name, s.length, s[0],
                s[s.length / 2], s[s.length - 1]);
    }

    List<Double> samples(String name) {
        List<Double> v = seconds.get(name);
        if (v == null) {
            return List.of();
        }
        synchronized (v) {
            return List.copyOf(v);
        }
    }

    String firstError() {
        return firstError;
    }
}
