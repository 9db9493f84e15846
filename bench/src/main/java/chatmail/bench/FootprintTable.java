package chatmail.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Prints {@code bench footprint} results as a Markdown table: a row per figure, a column per
 * subject, and with two subjects the ratio of the first to the second, so it pastes into
 * docs/benchmarks.md.
 */
public final class FootprintTable {
    private final List<FootprintRun.Report> reports;

    public FootprintTable(List<FootprintRun.Report> reports) {
        this.reports = reports;
    }

    public void print(PrintWriter out) {
        out.println();
        out.println("Machine: " + MachineInfo.describe() + String.format(Locale.ROOT, "; load average now %.2f", MachineInfo.load1m()));
        for (FootprintRun.Report r : reports) {
            out.println("- " + r.subject().name() + ": " + r.subject().launcher()
                    + (r.subject().javaOptions().isBlank() ? "" : " with CHATMAIL_JAVA_OPTS=" + r.subject().javaOptions()));
        }
        out.println();
        StringBuilder head = new StringBuilder("| part | figure |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (FootprintRun.Report r : reports) {
            head.append(' ').append(r.subject().name()).append(" |");
            rule.append("---:|");
        }
        boolean ratio = reports.size() == 2;
        if (ratio) {
            head.append(' ').append(reports.get(0).subject().name()).append(" ÷ ").append(reports.get(1).subject().name()).append(" |");
            rule.append("---:|");
        }
        out.println(head);
        out.println(rule);
        if (reports.stream().anyMatch(r -> !r.restarts().isEmpty())) {
            int n = reports.getFirst().restarts().size();
            number(out, "start-up", "restart to ready (ms), median of " + n + ": exec of the launcher → every listener answers",
                    r -> medianMillis(r.restarts(), LaunchedRelay.Start::ready), 0, false);
            number(out, "start-up", "restart → TLS on 465 done and 220 read (ms), median",
                    r -> medianMillis(r.restarts(), LaunchedRelay.Start::submissions), 0, false);
            number(out, "start-up", "relay CPU time until ready (ms), median", r -> medianMillis(r.restarts(), LaunchedRelay.Start::cpu), 0, false);
            text(out, "start-up", "restarts to ready, each (ms)", r -> r.restarts().stream()
                    .map(s -> Long.toString(s.ready().toMillis())).collect(Collectors.joining(", ")));
            number(out, "start-up", "first start, fresh data directory (ms)",
                    r -> r.firstStart() == null ? Double.NaN : r.firstStart().ready().toMillis(), 0, false);
            int samples = reports.getFirst().idleSamples().size();
            number(out, "idle", "RSS (MiB)" + (samples > 1 ? ", median of " + samples + " restarts" : ""),
                    r -> r.idle() == null ? Double.NaN : r.idle().totalMiB(), 1, false);
            number(out, "idle", "anonymous (MiB)", r -> r.idle() == null ? Double.NaN : r.idle().anonMiB(), 1, false);
            number(out, "idle", "file-backed (MiB)", r -> r.idle() == null ? Double.NaN : r.idle().fileMiB(), 1, false);
            if (samples > 1) {
                text(out, "idle", "RSS after each of the last restarts (MiB)", r -> r.idleSamples().stream()
                        .map(m -> String.format(java.util.Locale.ROOT, "%.1f", m.totalMiB())).collect(Collectors.joining(", ")));
            }
        }
        if (reports.stream().anyMatch(r -> r.saturation() != null)) {
            for (int size : new int[] {4096, 200 * 1024}) {
                String part = "saturation " + size / 1024 + " KiB";
                number(out, part, "delivered (msg/s), median of the runs", r -> saturationRate(r, size, LoadResult::deliveredRate), 0, true);
                number(out, part, "accepted (msg/s), median of the runs", r -> saturationRate(r, size, LoadResult::acceptedRate), 0, true);
            }
            text(out, "saturation", "runs, seconds in all", r -> r.saturation() == null ? "–" : r.saturation().runs().values().stream()
                    .mapToInt(List::size).sum() + ", " + r.saturation().runs().values().stream().flatMap(List::stream)
                    .mapToLong(l -> l.scenario().duration().toSeconds()).sum());
            text(out, "saturation", "failed / lost of sent", r -> {
                if (r.saturation() == null) {
                    return "–";
                }
                List<LoadResult> all = r.saturation().runs().values().stream().flatMap(List::stream).toList();
                return all.stream().mapToLong(l -> l.refused() + l.errors()).sum() + " / "
                        + all.stream().mapToLong(LoadResult::lost).sum() + " of " + all.stream().mapToLong(LoadResult::sent).sum();
            });
            number(out, "after saturation", "RSS at the end (MiB)", r -> r.saturation() == null ? Double.NaN : r.saturation().atEnd().totalMiB(), 1, false);
            number(out, "after saturation", "anonymous (MiB)", r -> r.saturation() == null ? Double.NaN : r.saturation().atEnd().anonMiB(), 1, false);
            number(out, "after saturation", "file-backed (MiB)", r -> r.saturation() == null ? Double.NaN : r.saturation().atEnd().fileMiB(), 1, false);
            number(out, "after saturation", "peak RSS during the runs (MiB, sampled each second)",
                    r -> r.saturation() == null ? Double.NaN : r.saturation().peakRssBytes() / 1048576.0, 1, false);
            number(out, "after saturation", "RSS after resting " + reports.stream().filter(r -> r.saturation() != null)
                    .findFirst().map(r -> r.saturation().rest().toSeconds()).orElse(0L) + " s (MiB)",
                    r -> r.saturation() == null ? Double.NaN : r.saturation().rested().totalMiB(), 1, false);
        }
        if (reports.stream().anyMatch(r -> r.crowd() != null)) {
            text(out, "many accounts", "memory limit", r -> r.crowd() == null ? "–" : r.crowd().how());
            text(out, "many accounts", "accounts; IDLE connections held to the end / asked",
                    r -> r.crowd() == null ? "–" : r.crowd().accounts() + "; " + r.crowd().held() + " / " + r.crowd().requested());
            text(out, "many accounts", "relay alive at the end, OOM kills",
                    r -> r.crowd() == null ? "–" : (r.crowd().survived() ? "yes" : "NO") + ", "
                            + (r.crowd().cgroup() ? Long.toString(r.crowd().oomKills()) : "–"));
            number(out, "many accounts", "cgroup peak charge incl. page cache (MiB)",
                    r -> r.crowd() == null || r.crowd().peakChargedBytes() < 0 ? Double.NaN : r.crowd().peakChargedBytes() / 1048576.0, 1, false);
            number(out, "many accounts", "relay peak RSS (MiB)", r -> r.crowd() == null ? Double.NaN : r.crowd().relay().peakMiB(), 1, false);
            for (int i = 0; i < 2; i++) {
                int index = i;
                number(out, "many accounts", (i == 0 ? "4 KiB" : "200 KiB") + " saturation on top, delivered (msg/s)",
                        r -> r.crowd() == null || r.crowd().load().size() <= index ? Double.NaN : r.crowd().load().get(index).deliveredRate(), 0, true);
            }
        }
    }

    private static double medianMillis(List<LaunchedRelay.Start> starts, Function<LaunchedRelay.Start, Duration> figure) {
        return Stats.median(starts.stream().mapToDouble(s -> figure.apply(s).toNanos() / 1e6).toArray());
    }

    private static double saturationRate(FootprintRun.Report r, int size, java.util.function.ToDoubleFunction<LoadResult> rate) {
        if (r.saturation() == null || !r.saturation().runs().containsKey(size)) {
            return Double.NaN;
        }
        return Stats.median(r.saturation().runs().get(size), rate);
    }

    private void number(PrintWriter out, String part, String figure, Function<FootprintRun.Report, Double> value, int decimals,
                        boolean higherIsBetter) {
        double[] values = reports.stream().mapToDouble(value::apply).toArray();
        List<String> cells = java.util.Arrays.stream(values).mapToObj(v -> ComparisonTable.format(v, decimals)).toList();
        String ratio = values.length == 2 ? ComparisonTable.ratio(values[0], values[1], higherIsBetter) : null;
        row(out, part, figure, cells, ratio);
    }

    private void text(PrintWriter out, String part, String figure, Function<FootprintRun.Report, String> value) {
        row(out, part, figure, reports.stream().map(value).map(Objects::toString).toList(), reports.size() == 2 ? "" : null);
    }

    private static void row(PrintWriter out, String part, String figure, List<String> cells, String ratio) {
        StringBuilder sb = new StringBuilder("| ").append(part).append(" | ").append(figure).append(" |");
        for (String c : cells) {
            sb.append(' ').append(c).append(" |");
        }
        if (ratio != null) {
            sb.append(' ').append(ratio).append(" |");
        }
        out.println(sb);
    }
}
