package chatmail.limits;

import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of {@link Ipv6SlashSixtyFourTest} that runs inside the test's network namespace: a
 * relay listening on {@code args[1]}, and IMAP connections to it from each source address in
 * {@code args[2..]}, in order, held open. Prints one line per connection: the source and the
 * first line the relay sent.
 */
public final class Ipv6LimitsProbe {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        String server = args[1];
        List<Socket> held = new ArrayList<>();
        // IMAP capped at 10: a fifth of it, 2, per client.
        try (TestRelay relay = TestRelay.start(data, b -> {
            b.listenAddresses = List.of(server);
            b.maxImapConnections = 10;
        })) {
            for (int i = 2; i < args.length; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress(InetAddress.getByName(args[i]), 0));
                s.connect(new InetSocketAddress(InetAddress.getByName(server), relay.port("imap")), 10_000);
                s.setSoTimeout(10_000);
                held.add(s);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                System.out.println(args[i] + " " + line);
            }
            for (Socket s : held) {
                s.close();
            }
        }
        System.out.println("done");
    }
}
