package chatmail.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chatmail bench bigday}: PERF-2 (see {@link BigdayRun} and docs/benchmarks.md). */
@Command(name = "bigday", description = "A large relay's day (PERF-2): many accounts, many IDLE clients in a separate process,"
        + " load with push while the expiry deletes back-dated mail, then a restart with every client logging in again.")
final class BigdayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--smoke", description = "CI's scale: 2,000 accounts, 200 IDLE, 5 s of load after 3 s of warm-up,"
            + " 5,000 messages and 10 inactive accounts to expire (other options still override).")
    boolean smoke;

    @Option(names = "--accounts", description = "Accounts written through the store (default 500000; smoke 2000).")
    Integer accounts;

    @Option(names = "--idle", description = "IDLE connections, one per account (default 18000; smoke 200).")
    Integer idle;

    @Option(names = "--rate", defaultValue = "230", description = "Offered msg/s of 4 KiB, to the IDLE accounts (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--load-seconds", description = "Seconds of steady load, and the least around the expiry (default 60; smoke 5).")
    Integer loadSeconds;

    @Option(names = "--expired-messages", description = "Back-dated messages for the expiry (default 3000000; smoke 5000).")
    Long expiredMessages;

    @Option(names = "--per-delivery", defaultValue = "20", description = "Recipients per back-dated delivery, sharing one body (default ${DEFAULT-VALUE}).")
    int perDelivery;

    @Option(names = "--inactive-accounts", description = "Accounts past delete_inactive_users_after, 3 messages each (default 5000; smoke 10).")
    Integer inactiveAccounts;

    @Option(names = "--sources", defaultValue = "250", description = "Client source addresses 127.0.1.1 … 127.0.1.N (default ${DEFAULT-VALUE}).")
    int sources;

    @Option(names = "--parallelism", defaultValue = "200", description = "Logins the IDLE clients have under way at once (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--senders", defaultValue = "16", description = "Concurrent submission connections (default ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--address", defaultValue = "127.0.0.21", description = "Loopback address for the relay (default ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--relay-jvm-option", description = "Extra JVM option for the relay's process (repeatable).")
    List<String> relayJvmOptions = new ArrayList<>();

    @Option(names = "--clients-jvm-option", description = "Extra JVM option for the IDLE clients' process (repeatable),"
            + " e.g. a JFR recording.")
    List<String> clientsJvmOptions = new ArrayList<>();

    @Option(names = "--relay-checkout", paramLabel = "DIR", description = "Run the relay through another checkout's launcher"
            + " (DIR/chatmail), e.g. a baseline's; default: this one's.")
    java.nio.file.Path relayCheckout;

    @Option(names = "--warm-up", description = "Seconds of unmeasured load before each measured phase, for the JIT"
            + " of a freshly started relay (default 20; smoke 3).")
    Integer warmUp;

    @Option(names = "--no-push", description = "No device tokens, so no push notifications (to see what push costs).")
    boolean noPush;

    @Option(names = "--restart-only", description = "Only the logins: first logins, a plain restart with every client"
            + " logging in again, and the same logins without a restart; no load, no back-dated mail, no expiry"
            + " (PERF-2's restart goal at full scale in a few minutes).")
    boolean restartOnly;

    @Option(names = "--keep", description = "Keep the working directory (data, logs) afterwards.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        BigdayRun.Options options = new BigdayRun.Options(
                pick(accounts, 500_000, 2_000), pick(idle, 18_000, 200), rate, pick(loadSeconds, 60, 5),
                expiredMessages != null ? expiredMessages : smoke ? 5_000 : 3_000_000, perDelivery,
                pick(inactiveAccounts, 5_000, 10), sources, parallelism, address, senders, keep, relayJvmOptions, !noPush, pick(warmUp, 20, 3),
                clientsJvmOptions, relayCheckout != null ? relayCheckout.toAbsolutePath().resolve("chatmail") : Checkout.launcher(), restartOnly);
        if (!java.nio.file.Files.isExecutable(options.relayLauncher())) {
            err.println("chatmail bench bigday: no launcher " + options.relayLauncher());
            return BenchCommand.ExitCodes.CONFIG_ERROR;
        }
        if (options.idle() > options.accounts() || options.sources() < 1 || options.sources() > 254) {
            err.println("chatmail bench bigday: --idle must not exceed --accounts, --sources must be 1 … 254");
            return BenchCommand.ExitCodes.CONFIG_ERROR;
        }
        long fdLimit = CapacityRun.openFileLimit();
        if (fdLimit > 0 && options.idle() + 1000 > fdLimit) {
            err.printf("chatmail bench bigday: %d IDLE connections need %d open files per process (relay and load"
                    + " generator each); this one may open %d (raise the hard limit: ulimit -Hn, LimitNOFILE=)%n",
                    options.idle(), options.idle() + 1000, fdLimit);
            return BenchCommand.ExitCodes.CONFIG_ERROR;
        }
        return BigdayRun.run(options, spec.commandLine().getOut()) ? BenchCommand.ExitCodes.OK : BenchCommand.ExitCodes.FAILURE;
    }

    private int pick(Integer given, int full, int smokeValue) {
        return given != null ? given : smoke ? smokeValue : full;
    }
}
