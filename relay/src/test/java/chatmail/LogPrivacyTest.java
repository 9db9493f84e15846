package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Privacy (SPEC, project rules): no log statement in the relay's code is handed a client's
 * address. A source check, because a log line only shows the leak when that path runs; the
 * dev-mode process test checks a real log for addresses too.
 */
class LogPrivacyTest {

    private static final Pattern LOG_CALL =
            Pattern.compile("\\blog\\.(trace|debug|info|warn|error)\\s*\\((.*?)\\);", Pattern.DOTALL);
    private static final Pattern ADDRESS_LIKE = Pattern.compile(
            "\\b(peer|remoteAddress|clientAddress|clientIp|\\w*InetAddress|getHostAddress|\\w*SocketAddress)\\b");

    @Test
    void noLogStatementIsGivenAClientAddress() throws IOException {
        Path sources = Path.of(System.getProperty("user.dir"), "src", "main", "java");
        List<String> offenders = new ArrayList<>();
        int statements = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = LOG_CALL.matcher(Files.readString(file));
                while (m.find()) {
                    statements++;
                    if (ADDRESS_LIKE.matcher(m.group(2)).find()) {
                        offenders.add(sources.relativize(file) + ": " + m.group().replaceAll("\\s+", " "));
                    }
                }
            }
        }
        assertThat(statements).as("log statements found, so the pattern works").isGreaterThan(10);
        assertThat(offenders).isEmpty();
    }
}
