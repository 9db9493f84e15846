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

    private JvmHeap() {}

    /** Live heap in bytes after a full GC; -1 when jcmd is unavailable or its output unknown. */
    public static long liveBytes(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            run(jcmd, pid, "GC.run");
            String info = run(jcmd, pid, "GC.heap_info");
            long used = 0;
            boolean found = false;
            for (String line : info.split("\n")) {
                // Serial/Parallel: "def new generation … used NK", "tenured generation …"; G1: "garbage-first heap …".
                if (line.contains("generation") || line.contains("garbage-first heap") || line.contains(" heap ")) {
                    Matcher m = USED.matcher(line);
                    if (m.find()) {
                        used += Long.parseLong(m.group(1)) * 1024;
                        found = true;
                    }
                }
            }
            return found ? used : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
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
