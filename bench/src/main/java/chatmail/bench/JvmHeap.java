package chatmail.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap of another JVM (our relay as a child process) through {@code jcmd}: a full GC first, so
 * the figure is live data, then the used size of the heap's generations or regions.
 */
public final class JvmHeap {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    /** The lines that total a heap part, by collector: Serial (JDK 25 and older names), Parallel, G1. */
    private static final Pattern HEAP_PART = Pattern.compile(
            "^\\s*(DefNew|Tenured|def new generation|tenured generation|PSYoungGen|ParOldGen|garbage-first heap)\\b");

    private JvmHeap() {}

    /** Live heap in bytes after a full GC; -1 when jcmd is unavailable or its output unknown. */
    public static long liveBytes(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd, pid, "GC.run");
            return usedBytes(run(jcmd, pid, "GC.heap_info"));
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The used heap in {@code jcmd GC.heap_info} output, in bytes; -1 when no heap part is named. */
    static long usedBytes(String heapInfo) {
        long used = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (HEAP_PART.matcher(line).find()) {
                Matcher m = USED.matcher(line);
                if (m.find()) {
                    used += Long.parseLong(m.group(1)) * 1024;
                    found = true;
                }
            }
        }
        return found ? used : -1;
    }

    private static String run(Path jcmd, long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
