package chatmail.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The reference relay's core path, Debian's Postfix and Dovecot, started and stopped through
 * {@code scripts/bench-baseline} (which installs, configures and later removes them).
 */
public final class BaselineServers implements ServerUnderTest {
    public static final String DOMAIN = "baseline.localhost";

    private final Path script;
    private final BenchTarget target;
    private final long postfixPid;
    private final long dovecotPid;
    private final Duration startup;
    private final String dir;

    private BaselineServers(Path script, BenchTarget target, Map<String, String> info) {
        this.script = script;
        this.target = target;
        this.postfixPid = Long.parseLong(info.get("postfix_pid"));
        this.dovecotPid = Long.parseLong(info.get("dovecot_pid"));
        this.startup = Duration.ofMillis(Long.parseLong(info.getOrDefault("startup_ms", "-1")));
        this.dir = info.get("dir");
    }

    public static BaselineServers start(Path script, String address, int accounts, List<InetAddress> sources)
            throws IOException, InterruptedException {
        String out = run(script, "start", "--address", address, "--domain", DOMAIN, "--accounts",
                Integer.toString(accounts), "--password", BenchTarget.DEFAULT_PASSWORD);
        Map<String, String> info = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                info.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        if (!info.containsKey("postfix_pid") || !info.containsKey("dovecot_pid")) {
            throw new IOException("scripts/bench-baseline start said:\n" + out);
        }
        BenchTarget target = new BenchTarget("baseline", address, Integer.parseInt(info.get("submissions")),
                Integer.parseInt(info.get("imaps")), DOMAIN, BenchTarget.DEFAULT_PASSWORD, sources);
        return new BaselineServers(script, target, info);
    }

    /** scripts/bench-baseline next to the code: the project checkout the bench runs from. */
    public static Path defaultScript() {
        return Checkout.find("scripts/bench-baseline");
    }

    private static String run(Path script, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = script.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(script + " " + args[0] + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(script + " " + args[0] + " failed (exit " + p.exitValue() + ")");
        }
        return out;
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
        return ProcessMemory.ofTree(postfixPid, dovecotPid);
    }

    @Override
    public ProcessMemory imapMemory() {
        return ProcessMemory.ofTree(dovecotPid);
    }

    @Override
    public Optional<Long> liveHeap() {
        return Optional.empty();
    }

    @Override
    public String durability() {
        return "Postfix default (queue file fsynced before 250), Dovecot mail_fsync=always (Maildir file fsynced before LMTP 250)";
    }

    @Override
    public String notes() {
        return "stock Debian Dovecot reports new mail to IDLE 500 ms after the first change it notices"
                + " (the reference relay patches this delay out); no filtermail and no OpenDKIM, so less work per message"
                + " than the reference relay and than ours";
    }

    public String workDirectory() {
        return dir;
    }

    @Override
    public void close() {
        try {
            run(script, "stop");
        } catch (IOException e) {
            System.err.println("bench: stopping the baseline: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
