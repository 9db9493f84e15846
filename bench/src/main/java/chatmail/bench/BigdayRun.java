package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench bigday} (PERF-2): a large relay's day on one machine. Our relay as a child process
 * on data written through its store, the IDLE clients in a second child process, submissions and
 * the push sink in this one:
 * <ol>
 * <li>accounts (one precomputed hash) and the IDLE accounts' device tokens, written through the store;</li>
 * <li>relay start, every IDLE client logs in for the first time (full SHA512-CRYPT, verifier stored);</li>
 * <li>steady load at the offered rate with push: delivery and push latency;</li>
 * <li>relay stopped, back-dated messages and inactive accounts written through the store;</li>
 * <li>relay start: its start-up expiry deletes them while the clients log in again and the load
 * runs until the expiry is done: latency during and after the expiry, the expiry's duration;</li>
 * <li>a plain restart: time until every client is back in IDLE, the relay's and the generator's
 * CPU reported apart;</li>
 * <li>every client drops its connection and logs in again, the relay not restarted: the CPU of a
 * login without the JIT compiling of a fresh JVM.</li>
 * </ol>
 * With {@code restartOnly}, steps 3–5 are left out: the restart's logins in a few minutes even at
 * full scale.
 */
final class BigdayRun {

    /** The ExpiryScheduler's log line. */
    private static final Pattern EXPIRY_LINE = Pattern.compile("expiry: deleted (\\d+) messages.*? (\\d+) inactive accounts.* in (\\d+) ms");

    record Options(int accounts, int idle, double rate, int loadSeconds, long expiredMessages, int messagesPerDelivery,
                   int inactiveAccounts, int sources, int parallelism, String address, int senders, boolean keep,
                   List<String> relayJvmOptions, boolean push, int warmUpSeconds,
                   List<String> clientsJvmOptions, Path relayLauncher, boolean restartOnly) {}

    /** Latencies of accepted messages, split by whether their DATA ended before the expiry finished. */
    private record Split(LatencySamples during, LatencySamples after) {}


    private final Options o;
    private final PrintWriter out;
    private final List<String> table = new ArrayList<>();
    private boolean clean = true;

    private BigdayRun(Options options, PrintWriter out) {
        this.o = options;
        this.out = out;
    }

    static boolean run(Options options, PrintWriter out) throws IOException, InterruptedException {
        return new BigdayRun(options, out).run();
    }

    private boolean run() throws IOException, InterruptedException {
        List<InetAddress> sources = BenchCommand.Compare.sourceAddresses(o.sources());
        Path dir = Files.createTempDirectory("chatmail-bench-bigday");
        Path dataDir = dir.resolve("data");
        BenchTarget target = new BenchTarget("ours", o.address(), 465, 993, OurRelayProcess.DOMAIN,
                BenchTarget.DEFAULT_PASSWORD, sources);
        BigdayData data = new BigdayData(dataDir, target);
        ClientTls tls = new ClientTls(Duration.ofSeconds(60));
        say("bench bigday: %,d accounts, %,d IDLE connections, %.0f msg/s with push, %,d back-dated messages to expire;"
                + " working directory %s; relay launcher %s", o.accounts(), o.idle(), o.rate(),
                o.restartOnly() ? 0 : o.expiredMessages(), dir, o.relayLauncher());
        row("machine", MachineInfo.describe());
        row("scale", String.format(Locale.ROOT, "%,d accounts, %,d IDLE (TLS, from %d source addresses), %.0f msg/s of 4 KiB, push %s",
                o.accounts(), o.idle(), o.sources(), o.rate(), o.push() ? "on" : "off"));

        OurRelayProcess relay = null;
        IdleClientsProcess clients = null;
        try (PushSink sink = PushSink.start(dir.resolve("push-sink.pem"), o.idle())) {
            String extraIni = "notify_url = " + sink.url() + "\ntrusted_ca_file = " + sink.certificate() + "\n";
            // Every start of the run, the restarts too: the same directory, launcher and push sink.
            OurRelayProcess.Start relayStart = OurRelayProcess.Start.on(o.address(), sources, o.relayJvmOptions(),
                    Duration.ofMinutes(5)).launcher(o.relayLauncher()).reusing(dir).extraIni(extraIni);

            long t = System.nanoTime();
            int withTokens = o.push() ? o.idle() : 0;
            data.accounts(o.accounts(), withTokens);
            row("accounts written through the store", String.format(Locale.ROOT, "%,d in %.1f s (%,d with a device token)",
                    o.accounts(), seconds(t), withTokens));

            relay = OurRelayProcess.start(relayStart);
            clients = IdleClientsProcess.start(target, o.idle(), o.sources(), o.parallelism(), o.clientsJvmOptions(),
                    dir.resolve("idle-clients.log"));
            DeliveryTracker tracker = new DeliveryTracker(o.idle());
            Login first = login(relay, clients, tracker, System.nanoTime(), "first logins (SHA512-CRYPT each)");
            Phase steady = null;
            Phase during = null;
            Login returned = null;
            if (!o.restartOnly()) {
                say("steady load ...");
                OurRelayProcess first0 = relay;
                steady = load(target, tls, tracker, sink, Duration.ofSeconds(o.loadSeconds()), () -> true,
                        () -> first0.memory().rssBytes());
                report("steady", steady.deliveries(), steady.pushes());
                row("relay RSS during the steady load (largest at the end of a run)", mib(steady.relayRss()));

                clients.expectCloses();
                stop(relay, dir, "first");
                relay = null;
                awaitAllClosed(clients);
                t = System.nanoTime();
                long beforeBytes = data.bytesOnDisk();
                data.expiredMessages(o.accounts(), o.expiredMessages(), 4096, o.messagesPerDelivery(), Duration.ofDays(21));
                data.inactiveAccounts(o.accounts(), o.inactiveAccounts(), 100, 3);
                long withOld = data.bytesOnDisk();
                row("back-dated messages written through the store", String.format(Locale.ROOT,
                        "%,d (21–22 days old, %d recipients per delivery) and %,d inactive accounts in %.1f s; data %s → %s",
                        o.expiredMessages(), o.messagesPerDelivery(), o.inactiveAccounts(), seconds(t), mib(beforeBytes), mib(withOld)));

                say("restart: start-up expiry while the clients log in again and the load runs ...");
                long spawn = System.nanoTime();
                relay = OurRelayProcess.start(relayStart);
                OurRelayProcess expiring = relay;
                returned = login(relay, clients, tracker, spawn, "restart with expiry: all back in IDLE");
                ExpiryTracker expiry = new ExpiryTracker(dir.resolve("relay.log"));
                java.util.concurrent.atomic.AtomicLong largestWal = new java.util.concurrent.atomic.AtomicLong();
                Thread walWatch = Thread.ofVirtual().start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        largestWal.accumulateAndGet(data.walBytes(), Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                during = load(target, tls, tracker, sink, Duration.ofSeconds(o.loadSeconds()),
                        () -> expiry.finished(expiring.pid()), () -> expiring.memory().rssBytes());
                Optional<ExpiryTracker.Done> done = expiry.await(Duration.ofMinutes(30));
                walWatch.interrupt();
                long rssDuring = during.relayRss();
                if (done.isEmpty()) {
                    row("expiry", "did not finish within 30 minutes");
                    clean = false;
                } else {
                    ExpiryTracker.Done d = done.get();
                    row("expiry (the relay's start-up run)", String.format(Locale.ROOT,
                            "%,d messages and %,d inactive accounts deleted in %.1f s (%,.0f messages/s)", d.messages(),
                            d.accounts(), d.millis() / 1000.0, d.messages() * 1000.0 / Math.max(1, d.millis())));
                    if (d.messages() < o.expiredMessages() || d.accounts() < o.inactiveAccounts()) {
                        say("bench bigday: expiry deleted fewer than were written");
                        clean = false;
                    }
                    Split split = split(during, d.seenAt());
                    row("delivery while the expiry ran (p50 / p99, n)", latency(split.during()));
                    row("delivery after the expiry (p50 / p99, n)", latency(split.after()));
                    if (split.during().count() == 0) {
                        say("bench bigday: the expiry was over before the load began; more --expired-messages make it overlap");
                    }
                }
                report("load around the expiry", during.deliveries(), during.pushes());
                row("relay RSS around the expiry (largest at the end of a run)", mib(rssDuring));
                row("data after the expiry", mib(data.bytesOnDisk() - data.walBytes()) + " and a WAL of "
                        + mib(data.walBytes()) + " (SQLite keeps freed pages for reuse); largest WAL seen " + mib(largestWal.get()));

            }

            clients.expectCloses();
            stop(relay, dir, o.restartOnly() ? "first" : "expiry");
            relay = null;
            awaitAllClosed(clients);
            long spawn = System.nanoTime();
            relay = OurRelayProcess.start(relayStart);
            Login restart = login(relay, clients, tracker, spawn, "plain restart: all back in IDLE");
            row("relay RSS with every client back", mib(relay.memory().rssBytes()));
            // The same logins on a relay that has run them all once: what a login costs without a
            // fresh JVM's compiling, so the restart's figures can be split into the two.
            clients.drop(Duration.ofMinutes(2));
            Login warm = login(relay, clients, tracker, NOT_RESTARTED, "the same logins again, relay not restarted");

            boolean allBack = restart.ok() == o.idle() && restart.fromSpawnNanos() <= 30e9;
            if (!o.restartOnly()) {
                boolean p99 = steady.deliveries().percentile(99) <= 50e6 && during.deliveries().percentile(99) <= 50e6;
                row("PERF-2 delivery p99 ≤ 50 ms (steady and around the expiry)", p99 ? "met" : "not met");
            }
            row("PERF-2 all clients back in IDLE ≤ 30 s after a restart", allBack ? "met" : "not met");
            int failed = first.failed() + restart.failed() + warm.failed() + (returned == null ? 0 : returned.failed());
            if (failed > 0 || clients.failures() > 0) {
                clean = false;
            }
            printTable();
            say(clean ? "bench bigday: OK" : "bench bigday: FAILED (see above)");
            return clean;
        } finally {
            if (relay != null) {
                relay.stopKeepingData();
                reportProblems(dir.resolve("relay.log"));
            }
            if (clients != null) {
                clients.close();
            }
            if (!o.keep()) {
                OurRelayProcess.deleteTree(dir);
            }
        }
    }

    /**
     * Waits until the generator has seen the stopped relay's connections end; one it has not
     * would not log in again, so the next round would count fewer clients than it should.
     */
    private void awaitAllClosed(IdleClientsProcess clients) throws InterruptedException {
        if (!clients.awaitAllClosed(Duration.ofMinutes(2))) {
            say("bench bigday: the IDLE clients still hold %d connections 2 minutes after the relay stopped", clients.open());
            clean = false;
        }
    }

    /** Stops the relay keeping its data, and its log as {@code relay-<phase>.log} (each start truncates relay.log). */
    private void stop(OurRelayProcess relay, Path dir, String phase) throws IOException {
        relay.stopKeepingData();
        Path log = dir.resolve("relay-" + phase + ".log");
        Files.move(dir.resolve("relay.log"), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        reportProblems(log);
    }

    /** The relay's warnings and errors, counted, with the first few: a failed run says why. */
    private void reportProblems(Path log) throws IOException {
        if (!Files.exists(log)) {
            return;
        }
        List<String> problems = Files.readAllLines(log).stream()
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
        if (!problems.isEmpty()) {
            say("  the relay logged %d warnings or errors (%s), the first: %s", problems.size(), log.getFileName(),
                    String.join(" / ", problems.subList(0, Math.min(3, problems.size()))));
        }
    }

    /** What a round of logins took, from the relay's spawn (or the round's start) to the last client in IDLE. */
    private record Login(int ok, int failed, double fromSpawnNanos) {}

    /** {@link #login}'s {@code spawn} for a round on a relay that kept running. */
    private static final long NOT_RESTARTED = Long.MIN_VALUE;

    private Login login(OurRelayProcess relay, IdleClientsProcess clients, DeliveryTracker tracker, long spawn, String what)
            throws IOException, InterruptedException {
        long ready = System.nanoTime();
        JvmCpu relayCpu0 = JvmCpu.of(relay.pid());
        JvmCpu clientsCpu0 = JvmCpu.of(clients.pid());
        IdleClientsProcess.Connected c = clients.connect(tracker, Duration.ofMinutes(30));
        JvmCpu relayCpu = JvmCpu.of(relay.pid()).minus(relayCpu0);
        JvmCpu clientsCpu = JvmCpu.of(clients.pid()).minus(clientsCpu0);
        double fromSpawn = c.lastIdleNanos() - spawn;
        String took = spawn == NOT_RESTARTED ? String.format(Locale.ROOT, "in %.1f s", (c.lastIdleNanos() - ready) / 1e9)
                : String.format(Locale.ROOT, "in %.1f s from the relay's start (%.1f s from its ports accepting)", fromSpawn / 1e9,
                        (c.lastIdleNanos() - ready) / 1e9);
        row(what, String.format(Locale.ROOT, "%,d of %,d %s; CPU: relay %.1f s, load generator %.1f s%s",
                c.ok(), o.idle(), took, relayCpu.seconds(), clientsCpu.seconds(),
                c.failed() == 0 ? "" : "; " + c.failed() + " failed, first: " + c.firstFailure()));
        row(what + ": CPU per login", String.format(Locale.ROOT, "relay %.2f ms, load generator %.2f ms; relay %s;"
                        + " load generator %s", relayCpu.seconds() * 1000 / Math.max(1, c.ok()),
                clientsCpu.seconds() * 1000 / Math.max(1, c.ok()), relayCpu.describe(), clientsCpu.describe()));
        return new Login(c.ok(), c.failed(), fromSpawn);
    }

    /** Load of one phase: deliveries and pushes of every accepted message, and the relay's RSS at the end. */
    private record Phase(LatencySamples deliveries, LatencySamples pushes, List<DeliveryTracker.InFlight> accepted,
                         long relayRss) {}

    /**
     * Runs the load in runs of at most 10 s for at least {@code minimum} and until {@code done} says so
     * (at most 30 minutes).
     */
    private Phase load(BenchTarget target, ClientTls tls, DeliveryTracker tracker, PushSink sink, Duration minimum,
                       java.util.function.BooleanSupplier done, java.util.function.LongSupplier rss)
            throws IOException, InterruptedException {
        List<DeliveryTracker.InFlight> accepted = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
        LoadRunner runner = new LoadRunner(target, tls, tracker, Duration.ofSeconds(60), true, (message, sender, messageId) -> {
            if (counting.get()) {
                accepted.add(message);
            }
            // PUSH-1: no notification for a copy the account sent to itself.
            if (o.push() && !target.address(message.recipient).equals(sender)) {
                sink.expect(message.recipient, message.beforeDot, message.endOfData);
            }
        });
        PgpMimeMessages.Template template = new PgpMimeMessages().template(4096);
        // A freshly started JVM runs the submission path interpreted at first: its first seconds
        // measure the JIT, not the relay. They run, unmeasured, before each phase.
        LoadResult warm = runner.run(new LoadScenario("warm-up", 4096, o.senders(), o.rate(),
                Duration.ofSeconds(o.warmUpSeconds())), template);
        say("  " + warm.summary() + " (not counted)");
        awaitPushes(sink);
        sink.takeLatencies();
        counting.set(true);
        long start = System.nanoTime();
        long cap = start + Duration.ofMinutes(30).toNanos();
        LatencySamples deliveries = new LatencySamples();
        long relayRss = 0;
        do {
            long left = minimum.toNanos() - (System.nanoTime() - start);
            Duration run = Duration.ofSeconds(left <= 0 ? 10 : Math.clamp((left + 999_999_999L) / 1_000_000_000L, 2, 10));
            LoadResult r = runner.run(new LoadScenario("bigday", 4096, o.senders(), o.rate(), run), template);
            say("  " + r.summary());
            relayRss = Math.max(relayRss, rss.getAsLong());
            if (!r.clean()) {
                clean = false;
            }
        } while ((System.nanoTime() - start < minimum.toNanos() || !done.getAsBoolean()) && System.nanoTime() < cap);
        awaitPushes(sink);
        if (sink.missing() > 0 || sink.unexpected() > 0) {
            say("bench bigday: %d notifications missing, %d for unknown tokens", sink.missing(), sink.unexpected());
            clean = false;
        }
        synchronized (accepted) {
            for (DeliveryTracker.InFlight f : accepted) {
                if (f.isDelivered()) {
                    deliveries.add(f.deliveryNanos());
                }
            }
        }
        return new Phase(deliveries, sink.takeLatencies(), List.copyOf(accepted), relayRss);
    }

    /** Pushes have no event to await here but their arrival at the sink, which is polled. */
    private static void awaitPushes(PushSink sink) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sink.missing() > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
    }

    private static Split split(Phase phase, long expiryDoneNanos) {
        LatencySamples during = new LatencySamples();
        LatencySamples after = new LatencySamples();
        for (DeliveryTracker.InFlight f : phase.accepted()) {
            if (f.isDelivered()) {
                (f.endOfData < expiryDoneNanos ? during : after).add(f.deliveryNanos());
            }
        }
        return new Split(during, after);
    }

    /**
     * Watches the relay's log for the expiry's line ({@code expiry: deleted … in N ms}); the
     * moment it is first seen counts as the expiry's end (the log is read every 50 ms).
     */
    private static final class ExpiryTracker {
        record Done(long messages, long accounts, long millis, long seenAt) {}

        private final Path log;
        private Done done;

        ExpiryTracker(Path log) {
            this.log = log;
        }

        boolean finished(long relayPid) {
            return poll().isPresent();
        }

        Optional<Done> await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (poll().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            return poll();
        }

        private synchronized Optional<Done> poll() {
            if (done == null) {
                long now = System.nanoTime();
                try {
                    for (String line : Files.readAllLines(log)) {
                        Matcher m = EXPIRY_LINE.matcher(line);
                        if (m.find()) {
                            done = new Done(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                                    Long.parseLong(m.group(3)), now);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // Not there yet, or a line half written: the next poll sees it.
                }
            }
            return Optional.ofNullable(done);
        }
    }

    private void report(String phase, LatencySamples deliveries, LatencySamples pushes) {
        row(phase + ": delivery, end of DATA → EXISTS (p50 / p99, n)", latency(deliveries));
        row(phase + ": push, end of DATA → POST at the sink (p50 / p99, n)", latency(pushes));
    }

    private static String latency(LatencySamples s) {
        return s.count() == 0 ? "–"
                : String.format(Locale.ROOT, "%.1f / %.1f ms (%,d)", s.percentile(50) / 1e6, s.percentile(99) / 1e6, s.count());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private void row(String figure, String value) {
        table.add("| " + figure + " | " + value + " |");
        say("  %s: %s", figure, value);
    }

    private void printTable() {
        out.println();
        out.println("| figure | value |");
        out.println("|---|---|");
        table.forEach(out::println);
        out.println();
        out.flush();
    }

    private void say(String format, Object... args) {
        out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
