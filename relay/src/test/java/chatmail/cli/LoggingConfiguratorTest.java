package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import chatmail.logging.RelayLogEncoder;
import org.junit.jupiter.api.Test;

/**
 * The logging set up in code must be what logback.xml was: stderr through the relay's encoder
 * (the journal's format under systemd, OPS-5), chatmail at INFO, everything else at WARN.
 */
class LoggingConfiguratorTest {

    @Test
    void stderrThroughTheRelaysEncoderAtTheRelaysLevels() {
        LoggerContext context = new LoggerContext();
        LoggingConfigurator configurator = new LoggingConfigurator();
        configurator.setContext(context);

        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertThat(stderr).isNotNull();
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(stderr.getEncoder()).isInstanceOf(RelayLogEncoder.class);
        assertThat(stderr.isStarted()).isTrue();
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("chatmail.Relay").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.eclipse.jetty.server").getEffectiveLevel()).isEqualTo(Level.WARN);
        context.stop();
    }
}
