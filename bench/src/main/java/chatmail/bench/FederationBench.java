package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code chatmail bench federation}: mail from relay 1's users to IDLE recipients on relay 2,
 * two relays in two processes on loopback with NSD ({@link FederationRelays}). Every latency is
 * from the end of DATA on relay 1 to the {@code * n EXISTS} on the recipient's IDLE connection
 * to relay 2. Three figures:
 * <ul>
 * <li>one message at a time after warm-up messages (each sent once the previous arrived): the
 *     path's own latency, with nothing queued before it;
 * <li>a fixed rate (200 msg/s) to many IDLE recipients: delivery p50/p99 under load;
 * <li>the first message after both relays restarted (cold DNS, TLS, DKIM key caches), once the
 *     clients are connected again.
 * </ul>
 */
final class FederationBench {

    record Options(int accounts, int senders, double rate, int size, Duration duration, int runs, int warmup,
                   int sequential, int restarts, String address1, String address2, List<String> jvmOptions,
                   Duration drainTimeout, Path dir, boolean keep, Path relayLauncher) {}

    private final Options o;
    private final PrintWriter out;
    private final ClientTls tls = new ClientTls(Duration.ofSeconds(30));
    private final PgpMimeMessages messages = new PgpMimeMessages();
    private boolean ok = true;

    FederationBench(Options options, PrintWriter out) {
        this.o = options;
        this.out = out;
    }

    /** Runs everything; false when a message was refused, failed or lost. */
    boolean run() throws IOException, InterruptedException {
        PgpMimeMessages.Template template = messages.template(o.size());
        List<InetAddress> sources = List.of();
        try (FederationRelays pair = FederationRelays.prepare(o.dir(), o.address1(), o.address2(), o.jvmOptions(),
                o.relayLauncher())) {
            // An interrupted bench (^C, kill) stops its relays and NSD too.
            Thread cleanup = new Thread(pair::close);
            Runtime.getRuntime().addShutdownHook(cleanup);
            Duration started = pair.start(Duration.ofSeconds(120));
            BenchTarget senders = pair.target(pair.relay1, sources);
            BenchTarget recipients = pair.target(pair.relay2, sources);
            print("bench federation: %s (%s) -> %s (%s), NSD, separate JVMs; started in %d ms; %d B messages; relays from %s",
                    FederationRelays.DOMAIN1, o.address1(), FederationRelays.DOMAIN2, o.address2(), started.toMillis(),
                    template.sizeFor(senders.address(0), recipients.address(0)),
                    o.relayLauncher().equals(Checkout.launcher()) ? "this checkout" : o.relayLauncher());
            // Accounts exist after their first login (ACC-1); the last one is the one-at-a-time recipient.
            AccountSetup.loginAll(senders, tls, Math.max(o.senders(), o.accounts()), 8);
            AccountSetup.loginAll(recipients, tls, o.accounts() + 1, 8);
            String single = recipients.address(o.accounts());

            List<Double> firsts = new ArrayList<>();
            double oneAtATime;
            try (Sequential seq = Sequential.open(tls, senders, recipients, single)) {
                firsts.add(ms(seq.send(template)));
                print("  first message after start: %.1f ms (relay 1's 250 after %.1f ms)", firsts.getFirst(),
                        ms(seq.lastSubmit));
                for (int i = 0; i < o.warmup(); i++) {
                    seq.send(template);
                }
                LatencySamples one = new LatencySamples();
                LatencySamples submit = new LatencySamples();
                for (int i = 0; i < o.sequential(); i++) {
                    one.add(seq.send(template));
                    submit.add(seq.lastSubmit);
                }
                oneAtATime = ms(one.percentile(50));
                print("  one at a time after %d warm-up messages: %d messages, delivery p50 %.1f ms p90 %.1f ms max %.1f ms;"
                                + " relay 1's 250 p50 %.1f ms", o.warmup(), one.count(), ms(one.percentile(50)),
                        ms(one.percentile(90)), ms(one.max()), ms(submit.percentile(50)));
            }

            // Restarts while the queue is empty: the first message then waits for nothing else.
            for (int i = 0; i < o.restarts(); i++) {
                pair.stop();
                Duration ready = pair.start(Duration.ofSeconds(120));
                try (Sequential seq = Sequential.open(tls, senders, recipients, single)) {
                    double first = ms(seq.send(template));
                    firsts.add(first);
                    print("  restart %d: ready in %d ms; first message %.1f ms (relay 1's 250 after %.1f ms)", i + 1,
                            ready.toMillis(), first, ms(seq.lastSubmit));
                }
            }

            List<LoadResult> results = new ArrayList<>();
            DeliveryTracker tracker = new DeliveryTracker(o.accounts());
            try (ImapIdleWatch watch = new ImapIdleWatch(recipients, tls, false, 16)) {
                watch.start(tracker);
                LoadRunner runner = new LoadRunner(senders, recipients, tls, tracker, o.drainTimeout(), true);
                LoadScenario scenario = new LoadScenario("federation", o.size(), o.senders(), o.rate(), o.duration());
                print("  %s to %d IDLE recipients on relay 2", scenario.describe(), o.accounts());
                for (int i = 0; i < o.runs(); i++) {
                    LoadResult r = runner.run(scenario, template);
                    print("    %s", r.summary());
                    ok &= r.clean() && r.delivered() == r.sent();
                    results.add(r);
                }
                if (watch.failures() > 0 || tracker.unexpected() > 0) {
                    print("  %d IDLE connections broke, %d arrivals matched no message", watch.failures(),
                            tracker.unexpected());
                    ok = false;
                }
            }

            double p50 = Stats.median(results, r -> ms(r.deliveryLatency().percentile(50)));
            double p99 = Stats.median(results, r -> ms(r.deliveryLatency().percentile(99)));
            List<Double> afterRestart = firsts.subList(1, firsts.size());
            print("federation: one at a time p50 %.1f ms; first message after a restart median %.1f ms of %d;"
                            + " %.0f msg/s delivery p50 %.1f ms p99 %.1f ms (median of %d runs); %s", oneAtATime,
                    Stats.median(afterRestart.stream().mapToDouble(Double::doubleValue).toArray()), afterRestart.size(),
                    o.rate(), p50, p99, results.size(), ok ? "OK" : "FAILED");
            return ok;
        } finally {
            if (!o.keep()) {
                OurRelayProcess.deleteTree(o.dir());
            }
        }
    }

    private void print(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }

    /** One sender on relay 1 and one IDLE recipient on relay 2; one message at a time. */
    private static final class Sequential implements AutoCloseable {
        private final SmtpSubmitter submitter;
        private final ImapIdler idler;
        private final DeliveryTracker tracker;
        private final String recipient;
        long lastSubmit;

        private Sequential(SmtpSubmitter submitter, ImapIdler idler, DeliveryTracker tracker, String recipient) {
            this.submitter = submitter;
            this.idler = idler;
            this.tracker = tracker;
            this.recipient = recipient;
        }

        static Sequential open(ClientTls tls, BenchTarget senders, BenchTarget recipients, String recipient)
                throws IOException {
            DeliveryTracker tracker = new DeliveryTracker(1);
            ImapIdler idler = ImapIdler.open(tls, null, recipients.host(), recipients.imapsPort(), recipient,
                    recipients.password(), false);
            try {
                tracker.watching(0, idler.selectedExists());
                idler.listen((count, at) -> tracker.mailboxCount(0, count, at), () -> { });
                SmtpSubmitter submitter = SmtpSubmitter.open(tls, null, senders.host(), senders.submissionsPort(),
                        senders.address(0), senders.password());
                return new Sequential(submitter, idler, tracker, recipient);
            } catch (IOException | RuntimeException e) {
                idler.close();
                throw e;
            }
        }

        /** Sends one message and waits for its arrival; the delivery time in nanoseconds. */
        long send(PgpMimeMessages.Template template) throws IOException, InterruptedException {
            DeliveryTracker.InFlight[] f = new DeliveryTracker.InFlight[1];
            String id = "seq." + System.nanoTime() + "@" + FederationRelays.DOMAIN1;
            SmtpSubmitter.Submission s = submitter.submit(recipient, template.head(submitter.login(), recipient, id),
                    template.tail(), new SmtpSubmitter.ContentHooks() {
                        @Override
                        public void beforeContent() {
                            f[0] = tracker.expect(0);
                        }

                        @Override
                        public void endOfData(long nanoTime) {
                            f[0].endOfData = nanoTime;
                        }
                    });
            if (!s.accepted()) {
                throw new IOException("relay 1 refused a message: " + s.reply());
            }
            lastSubmit = s.replied() - s.endOfData();
            if (!tracker.awaitDrained(Duration.ofSeconds(60))) {
                throw new IOException("a message did not arrive on relay 2 within 60 s");
            }
            return f[0].deliveryNanos();
        }

        @Override
        public void close() {
            submitter.close();
            idler.close();
        }
    }

    static Path workDir(Path given) throws IOException {
        return given != null ? Files.createDirectories(given) : Files.createTempDirectory("chatmail-bench-federation-");
    }
}
