package chatmail.web;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

/**
 * Jetty's debug and info messages name connections by their endpoints, client addresses
 * included; the relay logs no client addresses. Unless the operator set a level for
 * {@code org.eclipse.jetty} in the logging configuration, only warnings and errors pass.
 */
final class JettyLogging {

    private JettyLogging() {}

    static void keepClientAddressesOut() {
        if (LoggerFactory.getLogger("org.eclipse.jetty") instanceof ch.qos.logback.classic.Logger jetty
                && jetty.getLevel() == null) {
            jetty.setLevel(Level.WARN);
        }
    }
}
