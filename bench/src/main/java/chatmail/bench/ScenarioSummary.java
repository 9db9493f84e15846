package chatmail.bench;

import java.util.List;

/** Several runs of one scenario against one target, reduced to medians across runs. */
public record ScenarioSummary(String target, LoadScenario scenario, List<LoadResult> runs, boolean deliveryWatched) {

    public ScenarioSummary {
        runs = List.copyOf(runs);
    }

    public double deliveryP50Ms() {
        return deliveryWatched ? Stats.median(runs, r -> r.deliveryLatency().percentile(50) / 1e6) : Double.NaN;
    }

    public double deliveryP99Ms() {
        return deliveryWatched ? Stats.median(runs, r -> r.deliveryLatency().percentile(99) / 1e6) : Double.NaN;
    }

    public double submitP50Ms() {
        return Stats.median(runs, r -> r.submitLatency().percentile(50) / 1e6);
    }

    public double submitP99Ms() {
        return Stats.median(runs, r -> r.submitLatency().percentile(99) / 1e6);
    }

    public double achievedRate() {
        return Stats.median(runs, LoadResult::achievedRate);
    }

    public double acceptedRate() {
        return Stats.median(runs, LoadResult::acceptedRate);
    }

    public double deliveredRate() {
        return deliveryWatched ? Stats.median(runs, LoadResult::deliveredRate) : Double.NaN;
    }

    public long sent() {
        return runs.stream().mapToLong(LoadResult::sent).sum();
    }

    /** Refused submissions plus connection or protocol errors, over all runs. */
    public long failed() {
        return runs.stream().mapToLong(r -> r.refused() + r.errors()).sum();
    }

    public long lost() {
        return runs.stream().mapToLong(LoadResult::lost).sum();
    }
}
