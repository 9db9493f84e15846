package chatmail.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two readers of a {@code /metrics} answer besides {@link PrometheusText}: Debian's
 * python3-prometheus-client must see every {@code chatmail_} series with the same value, and
 * {@code promtool check metrics} must find nothing to lint. Both programs come from
 * scripts/install-test-deps; a missing one is reported through {@link MissingProgram}.
 */
public final class ExpositionReaders {
    private static final String PYTHON = "/usr/bin/python3";

    private ExpositionReaders() {}

    /** Asserts that both readers accept {@code text} and python reads what {@link PrometheusText#parse} read. */
    public static void agree(String text) throws IOException, InterruptedException {
        if (run(List.of(PYTHON, "-c", "import prometheus_client.parser"), "").exit != 0) {
            throw MissingProgram.report("python3-prometheus-client is missing: run scripts/install-test-deps");
        }
        if (run(List.of("sh", "-c", "command -v promtool"), "").exit != 0) {
            throw MissingProgram.report("promtool is missing (Debian package prometheus): run scripts/install-test-deps");
        }
        Map<String, Double> ours = PrometheusText.parse(text);
        Result python = run(List.of(PYTHON, "-c", """
                import sys
                from prometheus_client.parser import text_string_to_metric_families
                for family in text_string_to_metric_families(sys.stdin.read()):
                    for s in family.samples:
                        labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                        print("%s%s %r" % (s.name, "{" + labels + "}" if labels else "", float(s.value)))
                """), text);
        assertThat(python.exit).as("python3 prometheus_client parser: " + python.err).isZero();
        Map<String, Double> pythonSeen = new LinkedHashMap<>();
        for (String line : python.out.lines().toList()) {
            int space = line.lastIndexOf(' ');
            pythonSeen.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        ours.forEach((series, v) -> {
            if (series.startsWith("chatmail_")) {
                assertThat(pythonSeen).as(series).containsEntry(series, v);
            }
        });
        Result lint = run(List.of("promtool", "check", "metrics"), text);
        assertThat(lint.exit).as(lint.out + lint.err).isZero();
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(List<String> command, String input) throws IOException, InterruptedException {
        Path out = Files.createTempFile("exposition", ".out");
        Path err = Files.createTempFile("exposition", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not end within 3 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
