package chatmail.bench.hostile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The relay's Prometheus metrics ({@code metrics_address}): the samples the report compares before and after the attacks. */
final class MetricsScrape {
    private static final List<String> WATCHED = List.of("chatmail_connections_refused_total", "chatmail_password_hashes_computed",
            "chatmail_messages_refused_total", "chatmail_logins_total", "chatmail_messages_delivered_total");

    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    MetricsScrape(String hostPort) {
        this.uri = URI.create("http://" + hostPort + "/metrics");
    }

    /** Watched samples by their full name with labels; empty when the relay does not answer. */
    Map<String, Double> take() {
        Map<String, Double> m = new LinkedHashMap<>();
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || WATCHED.stream().noneMatch(line::startsWith)) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                if (space > 0) {
                    m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    /** {@code name{labels}: +delta} for every watched sample that changed between the two scrapes. */
    static List<String> deltas(Map<String, Double> before, Map<String, Double> after) {
        List<String> lines = new ArrayList<>();
        after.forEach((k, v) -> {
            double d = v - before.getOrDefault(k, 0.0);
            if (d != 0) {
                lines.add(k + ": +" + Math.round(d));
            }
        });
        return lines;
    }
}
