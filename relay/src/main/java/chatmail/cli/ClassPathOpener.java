package chatmail.cli;

import java.io.IOException;
import java.time.ZoneId;

/**
 * Opens every jar of the class path and loads the time-zone rules on a thread of their own while
 * {@code run} reads its configuration. The first lookup of a service or of a resource that is
 * not there (the JDK's time-zone providers, which logging's timestamps need; Prometheus'
 * properties; the JDK's own {@code ServiceLoader}s) opens all 42 jars, reading each directory
 * (Bouncy Castle's has 7 000 entries): 30-60 ms in the interpreter at the start of every restart,
 * on the main thread's path before any listener (docs/decisions.md, "Start-up and memory").
 * Later lookups find the jars open. Whatever the main thread reaches first, it waits for (class
 * initialisation and the class loader's jar list are thread-safe), so nothing is done twice.
 */
final class ClassPathOpener {
    private ClassPathOpener() {
    }

    static void start() {
        Thread.ofPlatform().name("class-path").daemon().start(ClassPathOpener::open);
    }

    private static void open() {
        try {
            // A name no jar has: every jar is opened and asked.
            ClassLoader.getSystemClassLoader().getResources("META-INF/services/chatmail.none").hasMoreElements();
            ZoneId.systemDefault().getRules();
        } catch (IOException | RuntimeException e) {
            // The main thread's own lookups meet the same problem and report it, once.
        }
    }
}
