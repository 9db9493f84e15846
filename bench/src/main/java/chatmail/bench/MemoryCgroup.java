package chatmail.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A memory cgroup with a limit for one child process (PERF-1's "under a 512 MiB cgroup memory
 * limit"), made below the cgroup this bench runs in, so the child stays inside whatever limits
 * the bench itself has. The cgroup v1 memory controller where it is mounted, else cgroup v2.
 * The child enters it before it execs: a shell writes its own pid into the cgroup, then execs
 * the command, so everything the command allocates is counted from its first byte.
 */
final class MemoryCgroup implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final boolean v1;
    private final long limitBytes;

    private MemoryCgroup(Path dir, boolean v1, long limitBytes) {
        this.dir = dir;
        this.v1 = v1;
        this.limitBytes = limitBytes;
    }

    /** Creates the cgroup; empty with the reason in {@code why[0]} when this machine or user cannot. */
    static Optional<MemoryCgroup> create(String name, long limitBytes, String[] why) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("memory") && Files.isDirectory(ROOT.resolve("memory"))) {
                    return Optional.of(make(ROOT.resolve("memory").resolve(f[2].substring(1)).resolve(name), true, limitBytes));
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && f[0].equals("0") && f[1].isEmpty()) {
                    Path base = Files.exists(ROOT.resolve("cgroup.controllers")) ? ROOT : ROOT.resolve("unified");
                    return Optional.of(make(base.resolve(f[2].substring(1)).resolve(name), false, limitBytes));
                }
            }
            why[0] = "no memory cgroup controller is mounted";
        } catch (IOException | RuntimeException e) {
            why[0] = "cannot make a memory cgroup: " + e.getMessage();
        }
        return Optional.empty();
    }

    private static MemoryCgroup make(Path dir, boolean v1, long limitBytes) throws IOException {
        Files.createDirectory(dir);
        MemoryCgroup cgroup = new MemoryCgroup(dir, v1, limitBytes);
        try {
            if (v1) {
                cgroup.write("memory.limit_in_bytes", Long.toString(limitBytes));
            } else {
                cgroup.write("memory.max", Long.toString(limitBytes));
                cgroup.write("memory.swap.max", "0");
            }
        } catch (IOException e) {
            cgroup.close();
            throw e;
        }
        return cgroup;
    }

    /** The command, entering this cgroup before it runs. */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > \"$0\" && exec \"$@\"", dir.resolve("cgroup.procs").toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    String describe() {
        return String.format(Locale.ROOT, "cgroup %s memory controller, limit %d MiB", v1 ? "v1" : "v2",
                limitBytes / 1048576);
    }

    /** The most memory the cgroup was charged at once (its processes' memory and their page cache). */
    long peakBytes() {
        return number(v1 ? "memory.max_usage_in_bytes" : "memory.peak");
    }

    /** How often the kernel killed a process of the cgroup for memory. */
    long oomKills() {
        return field(v1 ? "memory.oom_control" : "memory.events", "oom_kill");
    }

    /** How often the limit was hit (v1; v2: the "max" events). Reclaiming page cache at the limit is normal. */
    long limitHits() {
        return v1 ? number("memory.failcnt") : field("memory.events", "max");
    }

    private long number(String file) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(file)).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long field(String file, String key) {
        try {
            for (String line : Files.readAllLines(dir.resolve(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(key)) {
                    return Long.parseLong(f[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value, StandardCharsets.US_ASCII);
    }

    /** Removes the cgroup; its processes must have ended. */
    @Override
    public void close() {
        for (int i = 0; i < 50 && Files.exists(dir); i++) {
            try {
                Files.delete(dir);
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
