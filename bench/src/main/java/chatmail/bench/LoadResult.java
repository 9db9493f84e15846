package chatmail.bench;

/**
 * What one run of a {@link LoadScenario} against one target measured. Latencies in
 * nanoseconds; rates in messages per second.
 *
 * @param sent submissions attempted
 * @param accepted answered 250 at the end of DATA
 * @param refused answered otherwise (any step)
 * @param errors connection or protocol failures (reconnected)
 * @param delivered accepted messages seen arriving
 * @param lost accepted messages not seen arriving within the drain timeout
 * @param achievedRate submissions attempted per second while sending
 * @param deliveredRate arrivals per second from the first end of DATA to the 99th-percentile arrival
 */
public record LoadResult(String target, LoadScenario scenario, long sent, long accepted, long refused, long errors,
                         long delivered, long lost, LatencySamples submitLatency, LatencySamples deliveryLatency,
                         double achievedRate, double acceptedRate, double deliveredRate, String firstProblem) {

    public boolean clean() {
        return refused == 0 && errors == 0 && lost == 0 && sent > 0;
    }

    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "%s %s: sent %d, accepted %d, refused %d, errors %d, delivered %d, lost %d; "
                        + "submit p50 %.2f ms p99 %.2f ms; delivery p50 %.2f ms p99 %.2f ms; "
                        + "%.1f msg/s sent, %.1f msg/s delivered%s",
                target, scenario.name(), sent, accepted, refused, errors, delivered, lost,
                ms(submitLatency.percentile(50)), ms(submitLatency.percentile(99)),
                ms(deliveryLatency.percentile(50)), ms(deliveryLatency.percentile(99)),
                achievedRate, deliveredRate, firstProblem == null ? "" : "; first problem: " + firstProblem);
    }

    static double ms(double nanos) {
        return nanos / 1e6;
    }
}
