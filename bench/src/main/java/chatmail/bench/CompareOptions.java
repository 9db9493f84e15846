package chatmail.bench;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code chatmail bench compare} runs.
 *
 * @param accounts bench accounts per server; each has one IDLE connection watching it
 * @param senders concurrent submission connections
 * @param rate offered rate of the fixed-rate 4 KiB scenario (msg/s)
 * @param largeRate offered rate of the fixed-rate 200 KiB scenario (msg/s)
 * @param duration of each run
 * @param runs runs per scenario and server (medians are reported)
 * @param capacity idle IMAP connections for the capacity runs (0: none)
 * @param baselineCapacity the same for the baseline, whose per-connection processes cost more
 * @param ours run our relay; {@code baseline} run the baseline
 * @param startups fresh starts per server for the start-up figure (median)
 */
public record CompareOptions(int accounts, int senders, double rate, double largeRate, int smallSize, int largeSize,
                             Duration duration, int runs, int capacity, int baselineCapacity, String oursAddress,
                             String baselineAddress, List<InetAddress> sources, Path baselineScript,
                             List<String> relayJvmOptions, boolean ours, boolean baseline, Duration drainTimeout,
                             int startups) {

    public List<LoadScenario> scenarios() {
        return List.of(
                new LoadScenario(String.format(java.util.Locale.ROOT, "%d KiB at %.0f msg/s", smallSize / 1024, rate),
                        smallSize, senders, rate, duration),
                new LoadScenario(String.format(java.util.Locale.ROOT, "%d KiB at %.0f msg/s", largeSize / 1024, largeRate),
                        largeSize, senders, largeRate, duration),
                new LoadScenario(smallSize / 1024 + " KiB saturation", smallSize, senders, 0, duration),
                new LoadScenario(largeSize / 1024 + " KiB saturation", largeSize, senders, 0, duration));
    }
}
