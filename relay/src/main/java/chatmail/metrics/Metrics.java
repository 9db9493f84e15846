package chatmail.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntToDoubleFunction;

/**
 * The one place the relay counts events (SPEC OPS-3). Each relay has its own instance and its
 * own registry, so relays started side by side in one JVM (tests) do not share counts.
 *
 * <p>The events several packages report have a method each, with the label values of OPS-3
 * as enums so no caller can invent a label. A component with metrics of its own (queues,
 * connections, TURN) registers them once through {@link #counter}, {@link #gauge} or
 * {@link #histogram}. No metric carries a per-account or per-address label.
 *
 * <p>Every gauge says whose figure it is ({@link Scope}, label {@code scope}): this process's
 * own, or the whole cluster's when it is read from storage other nodes share. Counters and
 * histograms always count this process's events.
 */
public final class Metrics {

    /** Whose figure a gauge shows; the value of its {@code scope} label. */
    public enum Scope {
        /** This process's own: sums across nodes are the cluster's total. */
        NODE("node"),
        /** Read from the storage every node shares: each node shows the same figure, never sum it. */
        CLUSTER("cluster");

        private final String label;

        Scope(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The scope of figures read from storage: cluster-wide when other nodes share it. */
        public static Scope ofStorage(boolean shared) {
            return shared ? CLUSTER : NODE;
        }
    }

    static final String SCOPE = "scope";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter delivered;
    private final Counter refused;
    private final Counter accountsCreated;
    private final Counter accountsRefused;
    private final Counter logins;
    private final Counter push;
    private final Counter connectionsRefused;

    public Metrics() {
        delivered = counter("chatmail_messages_delivered", "Messages accepted for delivery, by the path they came in.", "path");
        for (DeliveryPath path : DeliveryPath.values()) {
            delivered.initLabelValues(path.label());
        }
        refused = counter("chatmail_messages_refused", "Messages refused, by reason.", "reason");
        for (Refusal reason : Refusal.values()) {
            refused.initLabelValues(reason.label());
        }
        accountsCreated = counter("chatmail_accounts_created", "Accounts created by a first login.");
        accountsRefused = counter("chatmail_accounts_refused", "First logins that did not create an account, by reason.", "reason");
        for (AccountRefusal reason : AccountRefusal.values()) {
            accountsRefused.initLabelValues(reason.label());
        }
        logins = counter("chatmail_logins", "Logins by service and result.", "service", "result");
        for (LoginService service : LoginService.values()) {
            logins.initLabelValues(service.label(), "ok");
            logins.initLabelValues(service.label(), "failed");
        }
        push = counter("chatmail_push", "Push notifications by outcome.", "result");
        for (PushResult result : PushResult.values()) {
            push.initLabelValues(result.label());
        }
        connectionsRefused = counter("chatmail_connections_refused",
                "Connections the limits layer refused or closed (SEC-3), by service and reason.", "service", "reason");
        for (ConnectionService service : ConnectionService.values()) {
            for (ConnectionRefusal reason : ConnectionRefusal.values()) {
                connectionsRefused.initLabelValues(service.label(), reason.label());
            }
        }
    }

    public void messageDelivered(DeliveryPath path) {
        delivered.labelValues(path.label()).inc();
    }

    public void messageRefused(Refusal reason) {
        refused.labelValues(reason.label()).inc();
    }

    public void accountCreated() {
        accountsCreated.inc();
    }

    public void accountRefused(AccountRefusal reason) {
        accountsRefused.labelValues(reason.label()).inc();
    }

    public void login(LoginService service, boolean ok) {
        logins.labelValues(service.label(), ok ? "ok" : "failed").inc();
    }

    public void push(PushResult result) {
        push.labelValues(result.label()).inc();
    }

    public void connectionRefused(ConnectionService service, ConnectionRefusal reason) {
        connectionsRefused.labelValues(service.label(), reason.label()).inc();
    }

    /**
     * Registers a counter; {@code name} without the {@code _total} suffix, which the exposition
     * adds.
     */
    public Counter counter(String name, String help, String... labelNames) {
        // No exemplars: the relay has no traces to link them to, and each data point would carry
        // a sampler (and the client library its scheduler thread) for nothing.
        Counter.Builder builder = Counter.builder().name(name).help(help).withoutExemplars();
        if (labelNames.length > 0) {
            builder.labelNames(labelNames);
        }
        return builder.register(registry);
    }

    /** Registers a gauge of this node read when the metrics are scraped (open connections, IDLE sessions). */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauge(Scope.NODE, name, help, value);
    }

    /** Registers a gauge read when the metrics are scraped, with its scope (queue sizes read from storage). */
    public void gauge(Scope scope, String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(SCOPE)
                .callback(callback -> callback.call(value.getAsDouble(), scope.label()))
                .register(registry);
    }

    /**
     * Registers a gauge of this node with one label, read when scraped: one value source per
     * label value, all present from the start (connections by service).
     */
    public void gauge(String name, String help, String labelName, Map<String, DoubleSupplier> byLabel) {
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>(byLabel);
        GaugeWithCallback.builder().name(name).help(help).labelNames(labelName, SCOPE)
                .callback(callback -> sources.forEach((label, value) ->
                        callback.call(value.getAsDouble(), label, Scope.NODE.label())))
                .register(registry);
    }

    /**
     * {@code chatmail_node_info{node, storage} 1}: this process's name among the nodes (the
     * holder of its queue claims, as {@code chatmail status} shows it) and its storage backend,
     * for joining a node's series with what the database says about it.
     */
    public void node(String node, String storage) {
        GaugeWithCallback.builder().name("chatmail_node_info")
                .help("This relay process: its node name (the holder of its queue claims) and storage backend; always 1.")
                .labelNames("node", "storage", SCOPE)
                .callback(callback -> callback.call(1, node, storage, Scope.NODE.label()))
                .register(registry);
    }

    /** One gauge of a {@link #gauges} group: its name, help and how it reads the shared snapshot. */
    public record GaugeOf<T>(String name, String help, ToDoubleFunction<T> value) {}

    /**
     * Gauges read from one snapshot taken once per scrape (three storage numbers from one
     * query): {@code snapshot} runs when the metrics are scraped, and each gauge reads it.
     */
    public <T> void gauges(Scope scope, Supplier<T> snapshot, List<GaugeOf<T>> gauges) {
        List<GaugeOf<T>> fixed = List.copyOf(gauges);
        Labels labels = Labels.of(SCOPE, scope.label());
        registry.register(new MultiCollector() {
            @Override
            public MetricSnapshots collect() {
                T taken = snapshot.get();
                List<MetricSnapshot> out = new ArrayList<>();
                for (GaugeOf<T> g : fixed) {
                    out.add(GaugeSnapshot.builder().name(g.name()).help(g.help())
                            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                                    .value(g.value().applyAsDouble(taken)).build())
                            .build());
                }
                return new MetricSnapshots(out);
            }

            @Override
            public List<String> getPrometheusNames() {
                return fixed.stream().map(GaugeOf::name).toList();
            }
        });
    }

    /** The JVM's own metrics (memory, GC, threads, classes; {@code jvm_*}, {@code process_*}). */
    public void registerJvmMetrics() {
        JvmMetrics.builder().register(registry);
    }

    /**
     * Registers a counter read when the metrics are scraped, for counts kept where counting must
     * not allocate (the TURN relay path); {@code name} without {@code _total}.
     */
    public void counterWithCallback(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry);
    }

    /** The same with one label: {@code value} gets the index of each of {@code labelValues}. */
    public void counterWithCallback(String name, String help, String labelName, String[] labelValues,
                                    IntToDoubleFunction value) {
        String[] values = labelValues.clone();
        CounterWithCallback.builder().name(name).help(help).labelNames(labelName)
                .callback(callback -> {
                    for (int i = 0; i < values.length; i++) {
                        callback.call(value.applyAsDouble(i), values[i]);
                    }
                })
                .register(registry);
    }

    /** Registers a histogram of durations in seconds, with buckets from 1 ms to 10 s. */
    public Histogram histogram(String name, String help, String... labelNames) {
        // Classic buckets only: the text format carries nothing else, and a native histogram's
        // buckets would be kept at every observation (a logarithm and a map update each).
        Histogram.Builder builder = Histogram.builder().name(name).help(help).classicOnly().withoutExemplars()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10);
        if (labelNames.length > 0) {
            builder.labelNames(labelNames);
        }
        return builder.register(registry);
    }

    /** Seconds as a histogram observes them. */
    public static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** For the exporter ({@code /metrics}) and tests. */
    public PrometheusRegistry registry() {
        return registry;
    }
}
