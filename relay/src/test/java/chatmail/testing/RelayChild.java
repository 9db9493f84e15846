package chatmail.testing;

import chatmail.Relay;
import chatmail.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A test relay in a JVM of its own, for tests that bound its memory ({@code -Xmx}) or kill it:
 * {@code RelayChild <dataDir>} starts it on ephemeral loopback ports with send limits high
 * enough for many sessions of one account, prints {@code PORT <service> <port>} for each port and
 * {@code READY}, and runs until its standard input closes (or it is killed). With
 * {@code <postgresql_url> <password_file>} after the data directory it is a node of a cluster
 * on that database (SCALE-2). {@code RelayChild --config <chatmail.ini>} starts the relay that
 * file configures instead, as an operator's node of another domain would run (its certificate,
 * DNS resolver, storage, outbound ports), still on ephemeral ports and a clock that stands still.
 */
public final class RelayChild {
    private RelayChild() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        Relay started = args[0].equals("--config")
                ? Relay.start(ConfigLoader.load(Path.of(args[1])).config(), Relay.Options.forTests(new MutableClock()))
                : TestRelay.start(Path.of(args[0]), b -> {
                    b.maxUserSendPerMinute = 10_000;
                    b.maxUserSendBurstSize = 10_000;
                    if (args.length >= 3) {
                        b.storage = chatmail.config.StorageSettings.postgresql(args[1], Path.of(args[2]));
                    }
                }).relay();
        try (Relay relay = started) {
            relay.ports().forEach((service, port) -> out.println("PORT " + service + " " + port));
            out.println("READY");
            while (System.in.read() >= 0) {
                // runs until the parent goes
            }
        }
    }

    /** Reads the child's standard output up to {@code READY}; its ports by service name. */
    public static Map<String, Integer> awaitReady(Process child) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        Map<String, Integer> ports = new HashMap<>();
        String line;
        while ((line = lines.readLine()) != null && !line.equals("READY")) {
            if (line.startsWith("PORT ")) {
                String[] p = line.split(" ");
                ports.put(p[1], Integer.parseInt(p[2]));
            }
        }
        if (line == null) {
            throw new IOException("the child relay ended before it was ready (see its standard error)");
        }
        return ports;
    }
}
