package chatmail.account;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads load, available memory and free disk space from Linux's /proc and the data directory. */
public final class LinuxResourceProbe implements ResourceProbe {

    private final Path dataDir;

    public LinuxResourceProbe(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public Resources current() {
        return new Resources(load1m(), availableMemory(), freeDisk());
    }

    private static double load1m() {
        try {
            String s = Files.readString(Path.of("/proc/loadavg"));
            return Double.parseDouble(s.substring(0, s.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: do not refuse accounts for lack of a number
        }
    }

    private static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String kib = line.substring("MemAvailable:".length()).trim().split("\\s+")[0];
                    return Long.parseLong(kib) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory();
    }

    private long freeDisk() {
        try {
            return Files.getFileStore(dataDir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
