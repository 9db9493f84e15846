package chatmail.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import java.util.regex.Pattern;

/**
 * Log lines for systemd's journal (OPS-5): {@code <N>logger: message}, with N the syslog
 * priority of the level (ERROR 3, WARN 4, INFO 6, DEBUG and TRACE 7), so {@code journalctl -p}
 * filters them. One line per event: line breaks in the message become {@code \n}, and an
 * exception is folded to its class and message and those of its causes, without the stack.
 * The journal stamps the time itself. Exception messages are written by libraries and may name
 * a peer: addresses in them are masked.
 */
public final class JournalLayout extends LayoutBase<ILoggingEvent> {

    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    private static final Pattern IPV6 = Pattern.compile("\\[?\\b[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}\\b\\]?");
    private static final Pattern MAIL = Pattern.compile("[^\\s<>\"'@]+@[^\\s<>\"'@]+");

    static int priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        line.append('<').append(priority(event.getLevel())).append('>');
        String logger = event.getLoggerName();
        line.append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ");
        line.append(oneLine(event.getFormattedMessage()));
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append(t == event.getThrowableProxy() ? ": " : "; caused by ");
            line.append(simpleName(t.getClassName()));
            if (t.getMessage() != null) {
                line.append(": ").append(masked(oneLine(t.getMessage())));
            }
        }
        return line.append('\n').toString();
    }

    static String masked(String text) {
        String s = MAIL.matcher(text).replaceAll("<address>");
        s = IPV4.matcher(s).replaceAll("<ip>");
        return IPV6.matcher(s).replaceAll("<ip>");
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
