package chatmail.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One process's resident memory from {@code /proc/PID/status}, split as the kernel counts it:
 * anonymous (heap, stacks, malloc, the AOT cache's pages the JVM wrote to), file-backed (the
 * JVM's libraries, jars, the AOT cache's untouched pages, which other processes may share) and
 * shared memory; plus the peak (VmHWM). All in bytes; -1 when unreadable.
 */
public record ResidentMemory(long anonBytes, long fileBytes, long shmemBytes, long peakBytes) {

    public static ResidentMemory of(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        return new ResidentMemory(bytes(status, "RssAnon:"), bytes(status, "RssFile:"), bytes(status, "RssShmem:"),
                bytes(status, "VmHWM:"));
    }

    private static long bytes(Path status, String key) {
        long kib = ProcessMemory.kib(status, key);
        return kib < 0 ? -1 : kib * 1024;
    }

    public boolean known() {
        return anonBytes >= 0 && fileBytes >= 0;
    }

    public long totalBytes() {
        return anonBytes + fileBytes + Math.max(0, shmemBytes);
    }

    public double totalMiB() {
        return totalBytes() / 1048576.0;
    }

    public double anonMiB() {
        return anonBytes / 1048576.0;
    }

    public double fileMiB() {
        return fileBytes / 1048576.0;
    }

    public double peakMiB() {
        return peakBytes / 1048576.0;
    }

    public String describe() {
        return String.format(Locale.ROOT, "RSS %.1f MiB (anonymous %.1f, file-backed %.1f)", totalMiB(), anonMiB(), fileMiB());
    }
}
