package chatmail.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A JVM's CPU time from /proc, split by what its threads do: user and system time of the
 * process (exited threads included), and of its live threads the JIT compilers, the garbage
 * collector (with the VM thread, where the serial collector runs), and the carrier threads of virtual threads (where a relay's connections run: TLS,
 * sessions). Read twice and {@link #minus subtracted} it says where a phase's CPU went, and
 * whether a figure is the work itself or a fresh JVM's compiling. Zeros where /proc is not.
 */
public record JvmCpu(long userTicks, long systemTicks, long jitTicks, long gcTicks, long carrierTicks) {

    /** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    public static JvmCpu of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        String stat = read(proc.resolve("stat"));
        if (stat == null) {
            return new JvmCpu(0, 0, 0, 0, 0);
        }
        long jit = 0;
        long gc = 0;
        long carriers = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String line = read(task.resolve("stat"));
                if (line == null) {
                    continue;
                }
                String name = line.substring(line.indexOf('(') + 1, line.lastIndexOf(')'));
                long[] t = times(line);
                long ticks = t[0] + t[1];
                // Linux keeps 15 characters of a thread's name.
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    jit += ticks;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")) {
                    gc += ticks;
                } else if (name.startsWith("ForkJoinPool-")) {
                    carriers += ticks;
                }
            }
        } catch (IOException e) {
            // The process ended: the process times above are all there is.
        }
        long[] process = times(stat);
        return new JvmCpu(process[0], process[1], jit, gc, carriers);
    }

    public JvmCpu minus(JvmCpu earlier) {
        return new JvmCpu(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks, jitTicks - earlier.jitTicks,
                gcTicks - earlier.gcTicks, carrierTicks - earlier.carrierTicks);
    }

    public double seconds() {
        return (userTicks + systemTicks) / TICKS_PER_SECOND;
    }

    /** "12.3 s (user 10.1, system 2.2; JIT 2.0, GC 0.8, virtual threads 8.9)". */
    public String describe() {
        return String.format(Locale.ROOT, "%.1f s (user %.1f, system %.1f; JIT %.1f, GC %.1f, virtual threads %.1f)",
                seconds(), userTicks / TICKS_PER_SECOND, systemTicks / TICKS_PER_SECOND, jitTicks / TICKS_PER_SECOND,
                gcTicks / TICKS_PER_SECOND, carrierTicks / TICKS_PER_SECOND);
    }

    /** utime and stime of a /proc stat line. */
    static long[] times(String line) {
        // The name is in parentheses and may hold spaces: fields are counted after its ')'.
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
