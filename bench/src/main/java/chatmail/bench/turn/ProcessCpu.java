package chatmail.bench.turn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process, all its threads, from {@code /proc/<pid>/stat} (utime + stime). */
final class ProcessCpu {
    /** USER_HZ: Linux reports these times in 1/100 s on every architecture the bench runs on. */
    private static final int TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    static long millis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name may hold spaces and parentheses: count fields after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the CPU time of process " + pid + ": " + e.getMessage(), e);
        }
    }
}
