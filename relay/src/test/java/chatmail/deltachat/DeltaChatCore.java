package chatmail.deltachat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One running Delta Chat core ({@code deltachat-rpc-server}) with its accounts directory, and
 * the event pump that files every event under its account from the first moment on.
 * Several profiles live in one core, as in the Delta Chat apps.
 */
final class DeltaChatCore implements AutoCloseable {

    private final Process process;
    private final JsonRpcClient rpc;
    private final Path logFile;
    private final DcTimeouts timeouts;
    private final Map<Integer, EventLog> logs = new ConcurrentHashMap<>();
    private final Thread pump;
    private volatile boolean closing;

    private DeltaChatCore(Process process, Path logFile, DcTimeouts timeouts) {
        this.process = process;
        this.logFile = logFile;
        this.timeouts = timeouts;
        this.rpc = new JsonRpcClient(process.getInputStream(), process.getOutputStream(), "deltachat-rpc-server");
        process.onExit().thenRun(() -> rpc.peerGone("the process exited with status " + process.exitValue()));
        this.pump = Thread.ofPlatform().daemon().name("deltachat-events").start(this::pumpEvents);
    }

    /** Starts the core on a fresh accounts directory inside {@code workDir}; its log goes next to it. */
    static DeltaChatCore start(Path workDir, DcTimeouts timeouts) throws IOException {
        Path binary = DeltaChatRpcBinary.require();
        Files.createDirectories(workDir);
        Path accounts = workDir.resolve("accounts");
        Path log = workDir.resolve("deltachat-rpc-server.log");
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        pb.environment().put("DC_ACCOUNTS_PATH", accounts.toString());
        pb.environment().putIfAbsent("RUST_LOG", "info");
        pb.redirectError(log.toFile());
        return new DeltaChatCore(pb.start(), log, timeouts);
    }

    DcTimeouts timeouts() {
        return timeouts;
    }

    Path logFile() {
        return logFile;
    }

    /** A call with the default timeout. */
    JsonNode call(String method, Object... params) {
        return rpc.call(timeouts.call(), method, params);
    }

    JsonNode call(Duration timeout, String method, Object... params) {
        return rpc.call(timeout, method, params);
    }

    EventLog events(int accountId) {
        return logs.computeIfAbsent(accountId, id -> {
            EventLog log = new EventLog("account-" + id);
            log.onFailure(this::dumpAll);
            return log;
        });
    }

    private void pumpEvents() {
        try {
            while (!closing) {
                // Long poll: answered only when an event fires; it fails when the core dies.
                JsonNode event = rpc.send("get_next_event").join();
                events(event.path("contextId").asInt()).add(
                        new DcEvent(event.path("contextId").asInt(), event.path("event"), System.nanoTime()));
            }
        } catch (RuntimeException e) {
            String why = closing ? "the core was stopped" : "the core's event stream ended: " + e.getMessage();
            logs.values().forEach(l -> l.close(why));
        }
    }

    /** Writes every profile's events to files for the one reading a failure; says where. */
    private String dumpAll() {
        StringBuilder b = new StringBuilder();
        logs.values().forEach(l -> b.append(l.dump()));
        return b.toString();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        closing = true;
        try {
            // EOF on its input ends deltachat-rpc-server cleanly (it stops I/O, closes databases).
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(timeouts.shutdown().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(timeouts.shutdown().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        rpc.close();
        logs.values().forEach(l -> l.close("the core was stopped"));
    }
}
