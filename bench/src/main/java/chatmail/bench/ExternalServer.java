package chatmail.bench;

import java.time.Duration;
import java.util.Optional;

/** A server the bench did not start and cannot look into: only its addresses are known. */
public final class ExternalServer implements ServerUnderTest {
    private final BenchTarget target;

    public ExternalServer(BenchTarget target) {
        this.target = target;
    }

    @Override
    public BenchTarget target() {
        return target;
    }

    @Override
    public Duration startup() {
        return Duration.ZERO;
    }

    @Override
    public ProcessMemory memory() {
        return new ProcessMemory(0, 0, 0);
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
        return "unknown (external server)";
    }

    @Override
    public void close() {}
}
