package chatmail.deltachat;

import java.time.Duration;

/**
 * How long the acceptance tests wait for the Delta Chat core. Generous: they bound a hang, they
 * do not measure (CI runs on 2 busy cores). {@code -Ddeltachat.timeoutFactor=3} stretches all.
 *
 * @param call an ordinary JSON-RPC call
 * @param configure configuring a transport (login, folders, capabilities)
 * @param delivery a message from one client's send to the other's IncomingMsg
 * @param shutdown the core's exit after its input is closed
 * @param reconnect a client noticing a restarted relay by itself (the core's retry backoff
 *     has been seen at about 30 s)
 */
record DcTimeouts(Duration call, Duration configure, Duration delivery, Duration shutdown, Duration reconnect) {

    static DcTimeouts defaults() {
        double factor = Double.parseDouble(System.getProperty("deltachat.timeoutFactor", "1"));
        return new DcTimeouts(scaled(30, factor), scaled(60, factor), scaled(30, factor), scaled(10, factor),
                scaled(120, factor));
    }

    private static Duration scaled(int seconds, double factor) {
        return Duration.ofMillis((long) (seconds * 1000 * factor));
    }
}
