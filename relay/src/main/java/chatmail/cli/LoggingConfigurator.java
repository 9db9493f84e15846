package chatmail.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import chatmail.logging.RelayLogEncoder;
import java.util.List;

/**
 * The relay's logging, set up in code (found by logback through {@code META-INF/services}): it
 * logs to stderr (systemd's journal or the terminal collects it; stdout is for what a command
 * prints), chatmail at INFO, libraries only when something is wrong. Privacy: log statements
 * never carry client IP addresses or message content. Under systemd ({@code $JOURNAL_STREAM} naming
 * stderr) the encoder writes one line per event with a syslog priority prefix instead of the
 * pattern ({@link RelayLogEncoder}, SPEC OPS-5).
 *
 * <p>Code rather than {@code logback.xml}: reading XML costs logback's Joran and the JDK's XML
 * parser, some 300 classes and a noticeable part of a start. An operator's own file still wins:
 * with {@code -Dlogback.configurationFile=FILE} (in {@code CHATMAIL_JAVA_OPTS}) this steps aside.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";
    private static final List<String> QUIET = List.of("org.flywaydb", "org.eclipse.jetty", "com.zaxxer.hikari", "org.sqlite");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        RelayLogEncoder encoder = new RelayLogEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("chatmail").setLevel(Level.INFO);
        for (String library : QUIET) {
            context.getLogger(library).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
