package chatmail.bench;

import java.io.IOException;
import java.time.Duration;

/**
 * One server prepared for load runs: its accounts logged in once, one watch connection per
 * recipient, and a {@link LoadRunner} whose tracker those connections feed.
 */
public final class TargetSession implements AutoCloseable {
    private final ServerUnderTest server;
    private final DeliveryTracker tracker;
    private final DeliveryWatch watch;
    private final LoadRunner runner;

    private TargetSession(ServerUnderTest server, DeliveryTracker tracker, DeliveryWatch watch, LoadRunner runner) {
        this.server = server;
        this.tracker = tracker;
        this.watch = watch;
        this.runner = runner;
    }

    /** Logs every account in and starts watching: by IMAP IDLE when the server has IMAP, else by its store. */
    public static TargetSession open(ServerUnderTest server, ClientTls tls, int accounts, Duration drainTimeout)
            throws IOException, InterruptedException {
        BenchTarget target = server.target();
        AccountSetup.loginAll(target, tls, accounts, 8);
        DeliveryTracker tracker = new DeliveryTracker(accounts);
        DeliveryWatch watch = target.hasImap() ? new ImapIdleWatch(target, tls, false, 16)
                : server.storeWatch().orElse(null);
        if (watch != null) {
            try {
                watch.start(tracker);
            } catch (IOException | InterruptedException | RuntimeException e) {
                watch.close();
                throw e;
            }
        }
        return new TargetSession(server, tracker, watch, new LoadRunner(target, tls, tracker, drainTimeout, watch != null));
    }

    public LoadResult run(LoadScenario scenario, PgpMimeMessages.Template template) throws IOException, InterruptedException {
        return runner.run(scenario, template);
    }

    public ServerUnderTest server() {
        return server;
    }

    public boolean watched() {
        return watch != null;
    }

    public String watchDescription() {
        return watch == null ? "not watched (the relay has no IMAP listener in this build)" : watch.description();
    }

    public long watchFailures() {
        return watch == null ? 0 : watch.failures();
    }

    public long unexpectedArrivals() {
        return tracker.unexpected();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
