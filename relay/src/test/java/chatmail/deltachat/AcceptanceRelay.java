package chatmail.deltachat;

import chatmail.Relay;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.MailboxEvents;
import chatmail.store.Mailbox;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A whole relay for the Delta Chat acceptance tests, on loopback with ephemeral ports and a
 * temporary data directory. Unlike {@code chatmail.testing.TestRelay} it runs on the real clock:
 * the real client lives in real time, and a frozen clock would never refill the send rate
 * limit. It can be restarted on the same ports, which the clients were configured with.
 */
final class AcceptanceRelay implements AutoCloseable {

    static final String DOMAIN = "chatmail.localhost";
    private static final String LOOPBACK = "127.0.0.1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Config config;
    private final String host;
    private Relay relay;
    private Map<String, Integer> ports;

    private AcceptanceRelay(Config config, boolean ephemeralPorts) throws IOException {
        this.config = config;
        this.host = config.listenAddresses().getFirst();
        this.relay = Relay.start(config, new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), ephemeralPorts, false));
        this.ports = relay.ports();
    }

    static AcceptanceRelay start(Path dataDir) throws IOException {
        return start(dataDir, b -> { });
    }

    static AcceptanceRelay start(Path dataDir, Consumer<Config.Builder> adjust) throws IOException {
        return new AcceptanceRelay(config(DOMAIN, LOOPBACK, dataDir, adjust), true);
    }

    /**
     * A relay for {@code domain} on one loopback address with the ports the config names (two
     * relays of a federation test reach each other on the same port numbers).
     */
    static AcceptanceRelay startOnAddress(String domain, String address, Path dataDir, Consumer<Config.Builder> adjust)
            throws IOException {
        return new AcceptanceRelay(config(domain, address, dataDir, adjust), false);
    }

    private static Config config(String domain, String address, Path dataDir, Consumer<Config.Builder> adjust) {
        Config.Builder b = Config.builder(domain);
        b.dataDir = dataDir;
        b.listenAddresses = List.of(address);
        // The tests send bursts (20 messages each way) that a person would not; the GCRA limit
        // of 60/min with burst 10 would answer 450 and the client would retry minutes later.
        b.maxUserSendPerMinute = 6000;
        b.maxUserSendBurstSize = 600;
        // Loopback only: no push to notifications.delta.chat, no DNS question to the outside
        // (the federation scenario sets its own DNS server).
        b.notifyUrl = java.net.URI.create("http://127.0.0.1:9/notify");
        b.dnsResolver = "127.0.0.1:9";
        // Federation peers are other relays on 127.0.0.x (SEC-5 refuses those by default).
        b.allowPrivateDestinations = true;
        adjust.accept(b);
        return b.build();
    }

    Relay relay() {
        return relay;
    }

    Config config() {
        return config;
    }

    int port(String service) {
        Integer p = ports.get(service);
        if (p == null) {
            throw new IllegalStateException(service + " is not listening; ports: " + ports);
        }
        return p;
    }

    /** A fresh address of this relay (username_min/max_length 9) with a password. */
    Credentials newCredentials() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder local = new StringBuilder();
        for (int i = 0; i < config.usernameMaxLength(); i++) {
            local.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        StringBuilder pw = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            pw.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return new Credentials(local + "@" + config.addressDomain(), pw.toString());
    }

    record Credentials(String addr, String password) {
    }

    /** Login settings for implicit TLS (IMAP 993, SMTP 465 of this relay). */
    LoginParams sslLogin(Credentials c) {
        return new LoginParams(c.addr(), c.password(), host, port("imaps"), LoginParams.Security.SSL,
                port("submissions"), LoginParams.Security.SSL);
    }

    /** Login settings for STARTTLS (IMAP 143, SMTP 587 of this relay). */
    LoginParams starttlsLogin(Credentials c) {
        return new LoginParams(c.addr(), c.password(), host, port("imap"), LoginParams.Security.STARTTLS,
                port("submission"), LoginParams.Security.STARTTLS);
    }

    /** Login settings for IMAP and SMTP both through the HTTPS port, told apart by ALPN. */
    LoginParams port443Login(Credentials c) {
        return new LoginParams(c.addr(), c.password(), host, port("https"), LoginParams.Security.SSL,
                port("https"), LoginParams.Security.SSL);
    }

    /** The messages in an account's mailbox on the relay (empty when account or mailbox are absent). */
    int messageCount(String addr, String mailbox) {
        MailStore store = relay.store();
        Optional<Account> account = store.findAccount(addr);
        if (account.isEmpty()) {
            return 0;
        }
        Optional<Mailbox> box = store.mailbox(account.get().id(), mailbox);
        return box.map(m -> store.snapshot(m.id()).messages().size()).orElse(0);
    }

    /**
     * Waits until the mailbox holds {@code expected} messages, re-checking on each change the
     * store announces for the account (no polling).
     */
    void awaitMessageCount(String addr, String mailbox, int expected, Duration timeout) throws InterruptedException {
        Account account = relay.store().findAccount(addr).orElseThrow(() -> new AssertionError("no account " + addr));
        Semaphore changed = new Semaphore(0);
        MailboxEvents.Subscription subscription = relay.store().events().subscribe(account.id(), e -> changed.release());
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            int count;
            while ((count = messageCount(addr, mailbox)) != expected) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !changed.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    throw new AssertionError(addr + " " + mailbox + " holds " + count + " messages, not "
                            + expected + ", after " + timeout);
                }
                changed.drainPermits();
            }
        } finally {
            subscription.close();
        }
    }

    void deleteAccount(String addr) {
        relay.store().findAccount(addr).ifPresent(a -> relay.store().deleteAccount(a.id()));
    }

    boolean accountExists(String addr) {
        return relay.store().findAccount(addr).isPresent();
    }

    /** Stops the relay (clients see their connections drop). */
    void stop() {
        relay.close();
    }

    /** Starts it again on the same data directory and the same ports. */
    void restart() throws IOException {
        Config.Builder b = config.toBuilder();
        b.smtpPort = ports.getOrDefault("smtp", 0);
        b.submissionPort = ports.getOrDefault("submission", 0);
        b.submissionsPort = ports.getOrDefault("submissions", 0);
        b.imapPort = ports.getOrDefault("imap", 0);
        b.imapsPort = ports.getOrDefault("imaps", 0);
        b.httpPort = ports.getOrDefault("http", 0);
        b.httpsPort = ports.getOrDefault("https", 0);
        b.turnPort = ports.getOrDefault("turn", 0);
        relay = Relay.start(b.build(), new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), false, false));
        if (!relay.ports().equals(ports)) {
            throw new IllegalStateException("restarted on other ports: " + relay.ports() + " instead of " + ports);
        }
    }

    @Override
    public void close() {
        relay.close();
    }
}
