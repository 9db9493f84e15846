package chatmail.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches each recipient through one IMAP IDLE connection (TLS), the way a Delta Chat device
 * learns about new mail: an arrival is the {@code * n EXISTS} line read on that connection.
 */
public final class ImapIdleWatch implements DeliveryWatch {
    private final BenchTarget target;
    private final ClientTls tls;
    private final boolean compress;
    private final int parallelism;
    private final List<ImapIdler> connections = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong failures = new AtomicLong();
    private Thread renewer;

    public ImapIdleWatch(BenchTarget target, ClientTls tls, boolean compress, int parallelism) {
        this.target = target;
        this.tls = tls;
        this.compress = compress;
        this.parallelism = parallelism;
    }

    @Override
    public void start(DeliveryTracker tracker) throws IOException, InterruptedException {
        Parallel.forEach(tracker.recipients(), parallelism, r -> {
            ImapIdler c = ImapIdler.open(tls, target.nextSource(), target.host(), target.imapsPort(),
                    target.address(r), target.password(), compress);
            connections.add(c);
            tracker.watching(r, c.selectedExists());
            c.listen((count, at) -> tracker.mailboxCount(r, count, at), failures::incrementAndGet);
        });
        // A run of runs can outlast the server's IDLE timeout; a device renews IDLE before it.
        renewer = Thread.ofVirtual().name("imap-idle-renew").start(() -> {
            try {
                while (true) {
                    Thread.sleep(RENEW_EVERY);
                    List<ImapIdler> snapshot;
                    synchronized (connections) {
                        snapshot = List.copyOf(connections);
                    }
                    for (ImapIdler c : snapshot) {
                        try {
                            c.renewIdle();
                        } catch (IOException e) {
                            // The reader thread notices the broken connection and counts it.
                        }
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
    }

    private static final java.time.Duration RENEW_EVERY = java.time.Duration.ofMinutes(20);

    @Override
    public String description() {
        return "IMAP IDLE over TLS" + (compress ? " with COMPRESS=DEFLATE" : "");
    }

    @Override
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        if (renewer != null) {
            renewer.interrupt();
        }
        synchronized (connections) {
            connections.forEach(ImapIdler::close);
            connections.clear();
        }
    }
}
