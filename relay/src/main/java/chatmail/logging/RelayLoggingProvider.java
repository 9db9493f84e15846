package chatmail.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.util.StatusPrinter;
import chatmail.cli.LoggingConfigurator;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Logback, bound and configured without a search of the class path: slf4j takes this provider
 * from {@code -Dslf4j.provider} ({@link #select()}) instead of asking {@code ServiceLoader}, and it
 * applies {@link LoggingConfigurator} itself instead of logback's {@code ContextInitializer},
 * whose own {@code ServiceLoader} lookup of configurators is the other search. Each search opens
 * every jar of the class path (42, Bouncy Castle's 7 000-entry directory among them), which no
 * other part of a start needs: 65-110 ms of a restart (docs/decisions.md, "Start-up and memory").
 *
 * <p>An operator's {@code -Dlogback.configurationFile=FILE} still goes through logback's own
 * initialisation, as with logback's provider.
 */
public final class RelayLoggingProvider implements SLF4JServiceProvider {
    /** The slf4j API version this provider is written against, as logback's says. */
    private static final String API_VERSION = "2.0.99";

    private final LoggerContext context = new LoggerContext();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final LogbackMDCAdapter mdc = new LogbackMDCAdapter();

    /**
     * Makes slf4j bind this provider, unless the process chose one itself; before the first
     * logger. slf4j reports an explicitly named provider as information on stderr, so only its
     * warnings stay on.
     */
    public static void select() {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", RelayLoggingProvider.class.getName());
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
    }

    @Override
    public void initialize() {
        context.setName("default");
        context.setMDCAdapter(mdc);
        if (System.getProperty("logback.configurationFile") != null) {
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                System.err.println("logback: cannot read " + System.getProperty("logback.configurationFile") + ": " + e);
            }
            StatusPrinter.printInCaseOfErrorsOrWarnings(context);
        } else {
            LoggingConfigurator configurator = new LoggingConfigurator();
            configurator.setContext(context);
            configurator.configure(context);
        }
        context.start();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return API_VERSION;
    }
}
