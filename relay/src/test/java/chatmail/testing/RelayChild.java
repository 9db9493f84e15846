package chatmail.testing;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A test relay in a JVM of its own, for tests that bound its memory ({@code -Xmx}) or kill it:
 * {@code RelayChild <dataDir>} starts it on ephemeral loopback ports with send limits high
 * enough for many sessions of one account, prints {@code PORT <service> <port>} for each port and
 * {@code READY}, and runs until its standard input closes (or it is killed). With
 * {@code <postgresql_url> <password_file>} after the data directory it is a node of a cluster
 * on that database (SCALE-2).
 */
public final class RelayChild {
    private RelayChild() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        try (TestRelay relay = TestRelay.start(Path.of(args[0]), b -> {
            b.maxUserSendPerMinute = 10_000;
            b.maxUserSendBurstSize = 10_000;
            if (args.length >= 3) {
                b.storage = chatmail.config.StorageSettings.postgresql(args[1], Path.of(args[2]));
            }
        })) {
            relay.relay().ports().forEach((service, port) -> out.println("PORT " + service + " " + port));
            out.println("READY");
            while (System.in.read() >= 0) {
                // runs until the parent goes
            }
        }
    }
}
