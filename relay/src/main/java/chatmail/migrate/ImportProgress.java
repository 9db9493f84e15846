package chatmail.migrate;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress line every {@code interval} while an import runs, so an operator moving hundreds
 * of thousands of accounts sees it advance. Small trees finish before the first line.
 */
final class ImportProgress implements AutoCloseable {
    private final Thread thread;
    private final Object lock = new Object();
    private boolean done;

    ImportProgress(PrintWriter out, ImportReport report, long totalAccounts, Duration interval) {
        long start = System.nanoTime();
        this.thread = Thread.ofVirtual().name("import-progress").start(() -> {
            while (true) {
                synchronized (lock) {
                    try {
                        long waitMillis = interval.toMillis();
                        long until = System.currentTimeMillis() + waitMillis;
                        while (!done && waitMillis > 0) {
                            lock.wait(waitMillis);
                            waitMillis = until - System.currentTimeMillis();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (done) {
                        return;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long messages = report.messagesImported.get() + report.messagesPresent.get();
                out.printf(Locale.ROOT, "import-reference: %d of %d accounts, %d messages (%.0f messages/s), %d damaged%n",
                        report.accountsSeen.get(), totalAccounts, messages, messages / seconds, report.damagedCount());
                out.flush();
            }
        });
    }

    @Override
    public void close() {
        synchronized (lock) {
            done = true;
            lock.notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
