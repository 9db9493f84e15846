package chatmail.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests that
 * scrape {@code /metrics}: every line must be a {@code # HELP}, a {@code # TYPE} or a sample of
 * a family declared before it; label values must be properly escaped; no series may appear
 * twice. Samples are keyed as {@code name{a="x",b="y"}} with the labels sorted.
 */
public final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped", "info", "stateset", "unknown");
    private static final String[] SUFFIXES = {"", "_total", "_created", "_bucket", "_count", "_sum", "_info"};

    private PrometheusText() {}

    /** The samples of a scrape; throws IllegalArgumentException naming the first bad line. */
    public static Map<String, Double> parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                require(NAME.matcher(parts[0]).matches(), number, line, "bad metric name");
                if (line.startsWith("# TYPE ")) {
                    require(parts.length == 2 && TYPES.contains(parts[1]), number, line, "bad type");
                    require(types.put(parts[0], parts[1]) == null, number, line, "TYPE given twice");
                }
                continue;
            }
            require(!line.startsWith("#"), number, line, "unknown comment");
            Sample s = sample(line, number);
            require(family(s.name(), types) != null, number, line, "sample of an undeclared family");
            require(samples.put(s.key(), s.value()) == null, number, line, "series given twice");
        }
        return samples;
    }

    /** The samples of a relay's registry, written and read back as a scrape would. */
    public static Map<String, Double> scrape(chatmail.metrics.Metrics metrics) {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        try {
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
                    .write(text, metrics.registry().scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return parse(text.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The value of one series, e.g. {@code value(samples, "chatmail_logins_total", "service", "smtp", "result", "ok")}. */
    public static double value(Map<String, Double> samples, String name, String... labels) {
        Double v = samples.get(key(name, labels));
        if (v == null) {
            throw new AssertionError("no series " + key(name, labels) + " in the scrape");
        }
        return v;
    }

    public static String key(String name, String... labels) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        return key(name, sorted);
    }

    private static String key(String name, TreeMap<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ",").append(k).append("=\"").append(v).append('"'));
        return sb.append('}').toString();
    }

    private record Sample(String key, String name, double value) {}

    private static Sample sample(String line, int number) {
        Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?[0-9]+)?").matcher(line);
        require(m.matches(), number, line, "not a sample");
        TreeMap<String, String> labels = new TreeMap<>();
        String body = m.group(3);
        if (body != null && !body.isEmpty()) {
            int i = 0;
            while (i < body.length()) {
                int eq = body.indexOf('=', i);
                require(eq > i, number, line, "label without =");
                String labelName = body.substring(i, eq);
                require(LABEL_NAME.matcher(labelName).matches(), number, line, "bad label name");
                require(eq + 1 < body.length() && body.charAt(eq + 1) == '"', number, line, "label value not quoted");
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    require(j < body.length(), number, line, "unterminated label value");
                    char c = body.charAt(j);
                    if (c == '\\') {
                        require(j + 1 < body.length(), number, line, "dangling escape");
                        char e = body.charAt(j + 1);
                        require(e == '\\' || e == '"' || e == 'n', number, line, "bad escape");
                        value.append(e == 'n' ? '\n' : e);
                        j += 2;
                    } else if (c == '"') {
                        break;
                    } else {
                        require(c != '\n', number, line, "raw newline in a label value");
                        value.append(c);
                        j++;
                    }
                }
                require(labels.put(labelName, value.toString()) == null, number, line, "label given twice");
                i = j + 1;
                if (i < body.length()) {
                    require(body.charAt(i) == ',', number, line, "labels not separated by a comma");
                    i++;
                }
            }
        }
        String v = m.group(4);
        double value = switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                require(v.matches("-?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?"), number, line, "bad value");
                yield Double.parseDouble(v);
            }
        };
        return new Sample(key(m.group(1), labels), m.group(1), value);
    }

    private static String family(String sampleName, Map<String, String> types) {
        for (String suffix : SUFFIXES) {
            if (sampleName.endsWith(suffix)) {
                String family = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(family)) {
                    return family;
                }
            }
        }
        return null;
    }

    private static void require(boolean ok, int number, String line, String problem) {
        if (!ok) {
            throw new IllegalArgumentException("line " + number + ": " + problem + ": " + line);
        }
    }
}
