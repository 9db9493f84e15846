package chatmail;

import chatmail.account.Accounts;
import chatmail.account.LinuxResourceProbe;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.delivery.LocalDelivery;
import chatmail.expiry.Expiry;
import chatmail.expiry.ExpiryScheduler;
import chatmail.imap.ImapPort;
import chatmail.imap.ImapServer;
import chatmail.imap.ImapServices;
import chatmail.store.MailStore;
import chatmail.smtp.SmtpPort;
import chatmail.smtp.SmtpServer;
import chatmail.smtp.SmtpServices;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.tls.TlsContexts;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole relay in one object: storage, TLS, accounts, expiry and the protocol listeners,
 * started in dependency order and closed in reverse.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /**
     * What tests and the CLI may choose beyond the config.
     *
     * @param ephemeralPorts bind every enabled port (non-zero in the config) to a free port
     *     instead; {@link #ports()} tells which
     * @param runExpiry run expiry at start-up and daily
     */
    public record Options(Clock clock, ResourceProbe probe, boolean ephemeralPorts, boolean runExpiry) {
        public static Options production(Config config) {
            return new Options(Clock.systemUTC(), new LinuxResourceProbe(config.dataDir()), false, true);
        }

        public static Options forTests(Clock clock) {
            return new Options(clock, ResourceProbe.ample(), true, false);
        }
    }

    private final Config config;
    private final Options options;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private MailStore store;
    private TlsContexts tls;
    private Accounts accounts;
    private LocalDelivery localDelivery;
    private ImapServer imap;

    private Relay(Config config, Options options) {
        this.config = config;
        this.options = options;
    }

    public static Relay start(Config config, Options options) throws IOException {
        Relay relay = new Relay(config, options);
        try {
            relay.startAll();
        } catch (IOException | RuntimeException e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    private void startAll() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(config.dataDir());
        tls = TlsContexts.create(config);
        store = SqliteMailStore.open(config.dataDir(), options.clock());
        closeables.push(store);
        accounts = new Accounts(config, store, options.probe(), options.clock());
        localDelivery = new LocalDelivery(config, store, options.clock());
        if (options.runExpiry()) {
            closeables.push(new ExpiryScheduler(new Expiry(config, store, options.clock()),
                    config.timeouts().expiryInterval()));
        }
        startSmtp();
        startImap();
        log.info("chatmail relay for {} ready in {} ms", config.mailDomain(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void startSmtp() throws IOException {
        SmtpServer smtp = new SmtpServer(SmtpServices.create(config, options.clock(), accounts, localDelivery), tls);
        closeables.push(smtp);
        listen(SmtpPort.MX, config.smtpPort(), smtp);
        listen(SmtpPort.SUBMISSION, config.submissionPort(), smtp);
        listen(SmtpPort.SUBMISSIONS, config.submissionsPort(), smtp);
    }

    private void startImap() throws IOException {
        imap = new ImapServer(ImapServices.create(config, options.clock(), accounts, store), tls);
        closeables.push(imap);
        for (ImapPort port : new ImapPort[] {ImapPort.IMAP, ImapPort.IMAPS}) {
            int configured = port == ImapPort.IMAP ? config.imapPort() : config.imapsPort();
            listen(port.serviceName(), configured, (address, number) -> imap.listen(port, address, number));
        }
    }

    /** Binds one service on one address and port; returns the bound port. */
    @FunctionalInterface
    private interface Binder {
        int bind(InetAddress address, int port) throws IOException;
    }

    private void listen(SmtpPort service, int configuredPort, SmtpServer server) throws IOException {
        listen(service.serviceName(), configuredPort, (address, port) -> server.listen(service, address, port));
    }

    private void listen(String serviceName, int configuredPort, Binder binder) throws IOException {
        if (configuredPort == 0) {
            return;
        }
        for (String address : config.listenAddresses()) {
            int bound = binder.bind(InetAddress.getByName(address), options.ephemeralPorts() ? 0 : configuredPort);
            ports.putIfAbsent(serviceName, bound);
        }
    }

    /** Actual bound ports by service name ({@code smtp}, {@code submission}, …). */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public Config config() {
        return config;
    }

    public MailStore store() {
        return store;
    }

    public Accounts accounts() {
        return accounts;
    }

    public TlsContexts tls() {
        return tls;
    }

    public LocalDelivery localDelivery() {
        return localDelivery;
    }

    /** The IMAP server, for the port-443 router to hand it connections. */
    public ImapServer imap() {
        return imap;
    }

    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
        }
    }
}
