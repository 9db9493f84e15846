package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * The short benchmark run CI does: our relay in process, a few accounts watched by IMAP IDLE
 * (by store events while the relay has no IMAP), small and large encrypted messages at a
 * modest fixed rate. It passes only when every message was accepted and arrived.
 */
public final class SmokeRun {
    private SmokeRun() {}

    /** Returns true when nothing failed and nothing was lost. */
    public static boolean run(PrintWriter out, int accounts, int messages, Duration drainTimeout)
            throws IOException, InterruptedException {
        ClientTls tls = new ClientTls(Duration.ofSeconds(30));
        int large = Math.max(1, messages / 5);
        int small = messages - large;
        try (InProcessRelay relay = InProcessRelay.start("127.0.0.1");
             TargetSession session = TargetSession.open(relay, tls, accounts, drainTimeout)) {
            out.println("bench smoke: our relay in process, " + accounts + " accounts, deliveries watched by "
                    + session.watchDescription());
            if (!session.watched()) {
                out.println("bench smoke: FAILED: no way to watch deliveries");
                return false;
            }
            PgpMimeMessages messagesFactory = new PgpMimeMessages();
            List<LoadScenario> scenarios = List.of(
                    new LoadScenario("smoke 4 KiB", 4096, 2, 100, Duration.ofMillis(small * 10L)),
                    new LoadScenario("smoke 200 KiB", 200 * 1024, 2, 20, Duration.ofMillis(large * 50L)));
            boolean ok = true;
            long sent = 0;
            for (LoadScenario sc : scenarios) {
                LoadResult r = session.run(sc, messagesFactory.template(sc.messageSize()));
                out.println("  " + r.summary());
                sent += r.sent();
                ok &= r.clean() && r.delivered() == r.sent();
            }
            if (session.watchFailures() > 0) {
                out.println("bench smoke: " + session.watchFailures() + " IDLE connections broke");
                ok = false;
            }
            if (session.unexpectedArrivals() > 0) {
                out.println("bench smoke: " + session.unexpectedArrivals() + " arrivals matched no submitted message");
                ok = false;
            }
            if (sent != messages) {
                out.println("bench smoke: sent " + sent + " of " + messages + " messages");
                ok = false;
            }
            out.println(ok ? "bench smoke: OK, " + sent + " messages accepted and delivered" : "bench smoke: FAILED");
            out.flush();
            return ok;
        }
    }
}
