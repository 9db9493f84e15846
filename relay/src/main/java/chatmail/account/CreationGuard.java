package chatmail.account;

import chatmail.config.Config;
import chatmail.metrics.AccountRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether new accounts may be created right now (SPEC ACC-5): the operator's
 * {@code <data_dir>/nocreate} switch (this node), the relay-wide switch of nodes sharing
 * PostgreSQL (SCALE-2), and the machine's load, memory and disk.
 */
public final class CreationGuard {

    private static final Logger log = LoggerFactory.getLogger(CreationGuard.class);

    private final Config config;
    private final ResourceProbe probe;
    private final Path nocreate;
    private final Optional<CreationSwitch> relayWide;
    /** The kind of the last refusal logged, or null while creation is allowed. */
    private final AtomicReference<String> refusing = new AtomicReference<>();

    public CreationGuard(Config config, ResourceProbe probe) {
        this(config, probe, Optional.empty());
    }

    /** @param relayWide the switch every node of the relay reads, beside this node's file */
    public CreationGuard(Config config, ResourceProbe probe, Optional<CreationSwitch> relayWide) {
        this.relayWide = relayWide;
        this.config = config;
        this.probe = probe;
        this.nocreate = config.dataDir().resolve("nocreate");
    }

    /** Why creation is refused now: the metric's reason, and words for the log (never for the client). */
    public record Refused(AccountRefusal reason, String message) {}

    /** Empty when creation is allowed, else the reason (for the log, never for the client). */
    public Optional<String> refusal() {
        return check().map(Refused::message);
    }

    /** Empty when creation is allowed, else why not. */
    public Optional<Refused> check() {
        if (Files.exists(nocreate)) {
            return Optional.of(new Refused(AccountRefusal.NOCREATE,
                    "account creation switched off (" + nocreate + " exists)"));
        }
        if (relayWide.isPresent() && relayWide.get().off()) {
            return Optional.of(new Refused(AccountRefusal.NOCREATE,
                    "account creation switched off on every node (chatmail accounts creation off)"));
        }
        ResourceProbe.Resources r = probe.current();
        String kind = null;
        Refused refused = null;
        if (r.load1m() > config.maxLoad1m()) {
            kind = "max_load_1m";
            refused = new Refused(AccountRefusal.LOAD,
                    "1-minute load " + r.load1m() + " above max_load_1m " + config.maxLoad1m());
        } else if (r.availableMemoryBytes() < config.minAvailableMemory()) {
            kind = "min_available_memory";
            refused = new Refused(AccountRefusal.MEMORY, "available memory below min_available_memory");
        } else if (r.freeDiskBytes() < config.minFreeDiskSpace()) {
            kind = "min_free_disk_space";
            refused = new Refused(AccountRefusal.DISK, "free disk below min_free_disk_space");
        }
        // Logged when the state changes, not per attempt: under load every new client retries.
        String before = refusing.getAndSet(kind);
        if (kind != null && !kind.equals(before)) {
            log.warn("refusing to create accounts: {}", refused.message());
        } else if (kind == null && before != null) {
            log.info("creating accounts again: {} is satisfied", before);
        }
        return Optional.ofNullable(refused);
    }
}
