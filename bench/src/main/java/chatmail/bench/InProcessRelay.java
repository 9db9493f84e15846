package chatmail.bench;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Our relay started inside the bench's own JVM on ephemeral loopback ports with a temporary
 * data directory: what the CI smoke run uses. Memory figures would include the load generator,
 * so this is not for capacity numbers.
 */
public final class InProcessRelay implements ServerUnderTest {
    private final Path dir;
    private final Relay relay;
    private final Duration startup;
    private final BenchTarget target;

    private InProcessRelay(Path dir, Relay relay, Duration startup, BenchTarget target) {
        this.dir = dir;
        this.relay = relay;
        this.startup = startup;
        this.target = target;
    }

    public static InProcessRelay start(String address) throws IOException {
        Path dir = Files.createTempDirectory("chatmail-bench-smoke");
        Config.Builder b = Config.builder(OurRelayProcess.DOMAIN);
        b.dataDir = dir.resolve("data");
        b.listenAddresses = List.of(address);
        b.smtpPort = 0;
        b.submissionPort = 0;
        b.httpPort = 0;
        b.httpsPort = 0;
        b.imapPort = 0;
        b.imapCompress = true;
        b.maxUserSendPerMinute = 100_000_000;
        b.maxUserSendBurstSize = 100_000_000;
        // Peers of a benchmark are on loopback (SEC-5 refuses such destinations by default).
        b.allowPrivateDestinations = true;
        long t0 = System.nanoTime();
        Relay relay;
        try {
            relay = Relay.start(b.build(), new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), true, false));
        } catch (IOException | RuntimeException e) {
            OurRelayProcess.deleteTree(dir);
            throw e;
        }
        Duration startup = Duration.ofNanos(System.nanoTime() - t0);
        Integer submissions = relay.ports().get("submissions");
        Integer imaps = relay.ports().get("imaps");
        BenchTarget target = new BenchTarget("ours (in process)", address, submissions, imaps == null ? 0 : imaps,
                OurRelayProcess.DOMAIN, BenchTarget.DEFAULT_PASSWORD, List.of());
        return new InProcessRelay(dir, relay, startup, target);
    }

    @Override
    public BenchTarget target() {
        return target;
    }

    @Override
    public Duration startup() {
        return startup;
    }

    @Override
    public ProcessMemory memory() {
        return ProcessMemory.ofTree(ProcessHandle.current().pid());
    }

    @Override
    public ProcessMemory imapMemory() {
        return memory();
    }

    @Override
    public Optional<Long> liveHeap() {
        return Optional.empty();
    }

    @Override
    public String durability() {
        return "SQLite WAL synchronous=FULL, body files fsynced before the commit; 250 after the commit";
    }

    @Override
    public Optional<DeliveryWatch> storeWatch() {
        return Optional.of(new StoreEventWatch(target, relay.store()));
    }

    @Override
    public void close() {
        relay.close();
        OurRelayProcess.deleteTree(dir);
    }
}
