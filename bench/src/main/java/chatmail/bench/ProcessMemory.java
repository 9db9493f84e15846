package chatmail.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory of a server's process tree from /proc: resident set (RSS, counts shared pages in every
 * process) and proportional set (PSS, shares them out), summed over the root and its
 * descendants. PSS is the fair sum for multi-process servers such as Dovecot and Postfix.
 */
public record ProcessMemory(long rssBytes, long pssBytes, int processes) {

    public static ProcessMemory ofTree(long... rootPids) {
        List<Long> pids = new ArrayList<>();
        for (long root : rootPids) {
            ProcessHandle.of(root).ifPresent(h -> {
                pids.add(h.pid());
                h.descendants().forEach(d -> pids.add(d.pid()));
            });
        }
        long rss = 0, pss = 0;
        int counted = 0;
        for (long pid : pids) {
            long r = kib(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
            if (r < 0) {
                continue;
            }
            rss += r * 1024;
            long p = kib(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
            pss += (p < 0 ? r : p) * 1024;
            counted++;
        }
        return new ProcessMemory(rss, pss, counted);
    }

    /** The value in KiB of the first line starting with {@code key}; -1 when unreadable. */
    static long kib(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public double rssMiB() {
        return rssBytes / 1048576.0;
    }

    public double pssMiB() {
        return pssBytes / 1048576.0;
    }
}
