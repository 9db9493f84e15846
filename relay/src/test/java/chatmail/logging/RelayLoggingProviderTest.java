package chatmail.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

/**
 * The provider slf4j binds for a started relay configures logback as the configurator found
 * through logback's own search would: the relay's stderr appender and levels.
 */
class RelayLoggingProviderTest {

    @Test
    void bindsLogbackWithTheRelaysConfiguration() {
        RelayLoggingProvider provider = new RelayLoggingProvider();
        provider.initialize();

        LoggerContext context = (LoggerContext) provider.getLoggerFactory();
        assertThat(context.isStarted()).isTrue();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
        assertThat(stderr).isNotNull();
        assertThat(stderr.getEncoder()).isInstanceOf(RelayLogEncoder.class);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("chatmail.Relay").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(provider.getMDCAdapter()).isNotNull();
        assertThat(context.getMDCAdapter()).isSameAs(provider.getMDCAdapter());
        assertThat(provider.getMarkerFactory().getMarker("m").getName()).isEqualTo("m");
        context.stop();
    }

    @Test
    void selectNamesThisProviderUnlessOneIsChosen() {
        String provider = System.getProperty("slf4j.provider");
        String verbosity = System.getProperty("slf4j.internal.verbosity");
        try {
            System.clearProperty("slf4j.provider");
            System.clearProperty("slf4j.internal.verbosity");
            RelayLoggingProvider.select();
            assertThat(System.getProperty("slf4j.provider")).isEqualTo(RelayLoggingProvider.class.getName());
            assertThat(System.getProperty("slf4j.internal.verbosity")).isEqualTo("WARN");

            System.setProperty("slf4j.provider", "some.other.Provider");
            System.clearProperty("slf4j.internal.verbosity");
            RelayLoggingProvider.select();
            assertThat(System.getProperty("slf4j.provider")).isEqualTo("some.other.Provider");
            assertThat(System.getProperty("slf4j.internal.verbosity")).isNull();
        } finally {
            restore("slf4j.provider", provider);
            restore("slf4j.internal.verbosity", verbosity);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
