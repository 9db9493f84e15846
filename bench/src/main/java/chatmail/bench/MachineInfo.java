package chatmail.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The facts about this machine a benchmark result needs next to it. */
public final class MachineInfo {
    private MachineInfo() {}

    public static String describe() {
        return String.format(java.util.Locale.ROOT, "%s, %d CPUs (%s), %.1f GiB RAM, Linux %s, JDK %s (%s)",
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), cpuModel(),
                ProcessMemory.kib(Path.of("/proc/meminfo"), "MemTotal:") / 1048576.0, System.getProperty("os.version"),
                System.getProperty("java.version"), System.getProperty("java.vendor"));
    }

    /** The 1-minute load average, or NaN. */
    public static double load1m() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Unknown.
        }
        return "unknown CPU";
    }
}
