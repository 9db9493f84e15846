package chatmail.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints a comparison as a Markdown table: one row per figure, a column per server, and the
 * ratio ours ÷ baseline with which direction is better, so it pastes into docs/benchmarks.md.
 */
public final class ComparisonTable {
    private final List<Comparison.TargetReport> reports;
    private final int runs;

    public ComparisonTable(List<Comparison.TargetReport> reports, int runs) {
        this.reports = reports;
        this.runs = runs;
    }

    public void print(PrintWriter out) {
        out.println();
        out.println("Machine: " + MachineInfo.describe() + String.format(Locale.ROOT, "; load average now %.2f", MachineInfo.load1m()));
        for (Comparison.TargetReport r : reports) {
            out.println("- " + r.name() + ": deliveries watched by " + r.watch() + "; durability: " + r.durability()
                    + (r.notes().isEmpty() ? "" : "; " + r.notes()));
        }
        out.println("Latencies and rates are medians over " + runs + " runs of the per-run p50/p99/rate.");
        out.println();
        StringBuilder head = new StringBuilder("| scenario | figure |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Comparison.TargetReport r : reports) {
            head.append(' ').append(r.name()).append(" |");
            rule.append("---:|");
        }
        boolean ratio = reports.size() == 2;
        if (ratio) {
            head.append(" ").append(reports.get(0).name()).append(" ÷ ").append(reports.get(1).name()).append(" |");
            rule.append("---:|");
        }
        out.println(head);
        out.println(rule);
        for (String scenario : reports.getFirst().scenarios().keySet()) {
            scenarioRow(out, scenario, "delivery p50 (ms), end of DATA → EXISTS", ScenarioSummary::deliveryP50Ms, 1, false);
            scenarioRow(out, scenario, "delivery p99 (ms)", ScenarioSummary::deliveryP99Ms, 1, false);
            scenarioRow(out, scenario, "submit p50 (ms), end of DATA → 250", ScenarioSummary::submitP50Ms, 2, false);
            scenarioRow(out, scenario, "submit p99 (ms)", ScenarioSummary::submitP99Ms, 2, false);
            if (scenario.contains("saturation")) {
                scenarioRow(out, scenario, "accepted (msg/s)", ScenarioSummary::acceptedRate, 0, true);
            } else {
                scenarioRow(out, scenario, "achieved offered rate (msg/s)", ScenarioSummary::achievedRate, 0, true);
            }
            scenarioRow(out, scenario, "delivered (msg/s, to the p99 arrival)", ScenarioSummary::deliveredRate, 0, true);
            row(out, scenario, "failed / lost of sent", reports.stream()
                    .map(r -> {
                        ScenarioSummary s = r.scenarios().get(scenario);
                        return s == null ? "–" : s.failed() + " / " + s.lost() + " of " + s.sent();
                    }).toList(), ratio ? "" : null);
        }
        numberRow(out, "start-up", "to first accepted connection, median of " + reports.getFirst().startups().size()
                + " (re)starts (ms)", r -> r.startup().toMillis(), 0, false);
        numberRow(out, "start-up", "first start, fresh data directory (ms)",
                r -> r.firstStart() == null ? Double.NaN : r.firstStart().toMillis(), 0, false);
        numberRow(out, "idle", "RSS after start (MiB)", r -> r.idleAfterStart().rssMiB(), 1, false);
        numberRow(out, "idle", "PSS after start (MiB)", r -> r.idleAfterStart().pssMiB(), 1, false);
        numberRow(out, "idle", "live heap after start (MiB)",
                r -> r.heapAfterStart().map(b -> b / 1048576.0).orElse(Double.NaN), 1, false);
        numberRow(out, "after load", "RSS (MiB)", r -> r.afterLoad() == null ? Double.NaN : r.afterLoad().rssMiB(), 1, false);
        numberRow(out, "after load", "PSS (MiB)", r -> r.afterLoad() == null ? Double.NaN : r.afterLoad().pssMiB(), 1, false);
        for (boolean compress : new boolean[] {false, true}) {
            String label = "idle IMAP TLS" + (compress ? " + COMPRESS" : "");
            if (reports.stream().noneMatch(r -> capacity(r, compress) != null)) {
                continue;
            }
            row(out, label, "connections held / requested", reports.stream().map(r -> {
                CapacityRun.Result c = capacity(r, compress);
                return c == null ? "–" : c.held() + " / " + c.requested();
            }).toList(), ratio ? "" : null);
            numberRow(out, label, "RSS per connection (KiB)", r -> capacityFigure(r, compress, CapacityRun.Result::rssPerConnectionKiB), 1, false);
            numberRow(out, label, "PSS per connection (KiB)", r -> capacityFigure(r, compress, CapacityRun.Result::pssPerConnectionKiB), 1, false);
            numberRow(out, label, "heap per connection (KiB)", r -> capacityFigure(r, compress, CapacityRun.Result::heapPerConnectionKiB), 1, false);
        }
        out.flush();
    }

    private static CapacityRun.Result capacity(Comparison.TargetReport r, boolean compress) {
        return r.capacity().stream().filter(c -> c.compress() == compress).findFirst().orElse(null);
    }

    private static double capacityFigure(Comparison.TargetReport r, boolean compress, ToDoubleFunction<CapacityRun.Result> f) {
        CapacityRun.Result c = capacity(r, compress);
        return c == null ? Double.NaN : f.applyAsDouble(c);
    }

    private void scenarioRow(PrintWriter out, String scenario, String figure, ToDoubleFunction<ScenarioSummary> f,
                             int decimals, boolean higherIsBetter) {
        numberRow(out, scenario, figure, r -> {
            ScenarioSummary s = r.scenarios().get(scenario);
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }, decimals, higherIsBetter);
    }

    private void numberRow(PrintWriter out, String scenario, String figure, ToDoubleFunction<Comparison.TargetReport> f,
                           int decimals, boolean higherIsBetter) {
        double[] values = reports.stream().mapToDouble(f).toArray();
        List<String> cells = java.util.Arrays.stream(values).mapToObj(v -> format(v, decimals)).toList();
        String ratio = null;
        if (values.length == 2) {
            ratio = ratio(values[0], values[1], higherIsBetter);
        }
        row(out, scenario, figure, cells, ratio);
    }

    static String ratio(double ours, double baseline, boolean higherIsBetter) {
        if (Double.isNaN(ours) || Double.isNaN(baseline) || baseline == 0) {
            return "–";
        }
        double q = ours / baseline;
        boolean better = higherIsBetter ? q > 1 : q < 1;
        String verdict = Math.abs(q - 1) < 0.02 ? " (same)" : better ? " (better)" : " (worse)";
        return String.format(Locale.ROOT, q >= 0.1 ? "%.2f" : q >= 0.001 ? "%.3f" : "%.1e", q) + verdict;
    }

    private static void row(PrintWriter out, String scenario, String figure, List<String> cells, String ratio) {
        StringBuilder sb = new StringBuilder("| ").append(scenario).append(" | ").append(figure).append(" |");
        cells.forEach(c -> sb.append(' ').append(c).append(" |"));
        if (ratio != null) {
            sb.append(' ').append(ratio).append(" |");
        }
        out.println(sb);
    }

    static String format(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
