package chatmail.testing;

import chatmail.Relay;
import chatmail.config.Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A whole relay for a test: ephemeral loopback ports, a temporary data directory, a clock the
 * test moves, and ample machine resources (a busy 2-core CI machine often has a load above
 * max_load_1m, which would refuse accounts at random).
 */
public final class TestRelay implements AutoCloseable {

    public static final String DOMAIN = "chatmail.localhost";
    /** Where nothing listens: the ACME directory of test relays that do not set their own. */
    public static final URI NO_ACME = URI.create("https://127.0.0.1:9/directory");

    private final Relay relay;
    private final MutableClock clock;

    private TestRelay(Relay relay, MutableClock clock) {
        this.relay = relay;
        this.clock = clock;
    }

    public static TestRelay start(Path dataDir) throws IOException {
        return start(dataDir, b -> { });
    }

    /** Starts a relay whose config the test may adjust (limits, timeouts) before start. */
    public static TestRelay start(Path dataDir, Consumer<Config.Builder> adjust) throws IOException {
        return start(dataDir, new MutableClock(), adjust);
    }

    public static TestRelay start(Path dataDir, MutableClock clock, Consumer<Config.Builder> adjust) throws IOException {
        Config.Builder b = Config.builder(DOMAIN);
        b.dataDir = dataDir;
        b.listenAddresses = List.of("127.0.0.1");
        // Tests stay on loopback: a test that sets a device token and delivers mail must not
        // reach notifications.delta.chat. Nothing listens on port 9 here; push tests set their own.
        b.notifyUrl = URI.create("http://127.0.0.1:9/notify");
        // Nor may DNS questions leave the machine: nothing answers on this port, so lookups of
        // other domains fail as temporary and queued mail waits. DNS tests set their own server.
        b.dnsResolver = "127.0.0.1:9";
        // A test relay for a public domain without certificate files never reaches a public CA
        // either; ACME tests point this at their Pebble.
        b.acmeDirectory = NO_ACME;
        // Test peers are other servers on 127.0.0.x, which SEC-5 refuses by default; the test
        // of that refusal sets it back to false.
        b.allowPrivateDestinations = true;
        adjust.accept(b);
        return new TestRelay(Relay.start(b.build(), Relay.Options.forTests(clock)), clock);
    }

    /**
     * A relay for {@code domain} on the ports its config names (no ephemeral ports), for
     * federation tests where other relays reach it through {@code outbound_smtp_port} and
     * {@code outbound_https_port}: {@code adjust} sets listen address, ports, certificates and
     * resolver. Ports are per address, so relays on 127.0.0.2 and 127.0.0.3 can share numbers.
     */
    public static TestRelay startOnConfiguredPorts(String domain, Path dataDir, MutableClock clock,
            Consumer<Config.Builder> adjust) throws IOException {
        Config.Builder b = Config.builder(domain);
        b.dataDir = dataDir;
        b.listenAddresses = List.of("127.0.0.1");
        b.notifyUrl = URI.create("http://127.0.0.1:9/notify");
        b.dnsResolver = "127.0.0.1:9";
        b.acmeDirectory = NO_ACME;
        // TURN on its fixed port would collide between relays of concurrent test runs; a test that
        // needs it on these relays turns it on.
        b.turnPort = 0;
        b.allowPrivateDestinations = true;
        adjust.accept(b);
        Relay.Options ephemeral = Relay.Options.forTests(clock);
        Relay.Options fixed = new Relay.Options(clock, ephemeral.probe(), false, ephemeral.runExpiry());
        return new TestRelay(Relay.start(b.build(), fixed), clock);
    }

    /**
     * Where a client on this machine reaches the relay: its first listen address (127.0.0.2 for
     * a node of a cluster test), or loopback when it listens on a wildcard.
     */
    public java.net.InetAddress host() {
        try {
            java.net.InetAddress first = java.net.InetAddress.getByName(relay.config().listenAddresses().getFirst());
            return first.isAnyLocalAddress() ? java.net.InetAddress.getLoopbackAddress() : first;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An address of this relay's domain. */
    public String addressOf(String localPart) {
        return localPart + "@" + relay.config().mailDomain();
    }

    public Relay relay() {
        return relay;
    }

    public Config config() {
        return relay.config();
    }

    public MutableClock clock() {
        return clock;
    }

    /** The bound port of a service: smtp, submission, submissions (later imap, imaps, http, https). */
    public int port(String service) {
        Integer p = relay.ports().get(service);
        if (p == null) {
            throw new IllegalStateException(service + " is not listening; ports: " + relay.ports());
        }
        return p;
    }

    /** A fresh valid address of this relay (9-character local part, as the defaults want). */
    public static String address(String nineChars) {
        if (nineChars.length() != 9) {
            throw new IllegalArgumentException("local part must have 9 characters: " + nineChars);
        }
        return nineChars + "@" + DOMAIN;
    }

    @Override
    public void close() {
        relay.close();
    }
}
