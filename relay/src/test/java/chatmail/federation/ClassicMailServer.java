package chatmail.federation;

import chatmail.testing.MissingProgram;

import chatmail.testing.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A classic mail server as Debian ships it: Postfix with OpenDKIM as its milter, for the domain
 * {@code classic.test} on its own loopback address, with private configuration, queue and data
 * directories (the system's /etc/postfix and /etc/opendkim are never used). Mailboxes are
 * maildirs the test reads. Mail to {@code relay1.test} goes to the given relay address and port
 * with a verified certificate (the test CA); OpenDKIM signs what local senders (the test,
 * connecting from {@link #SUBMIT_FROM}) send and verifies the rest, asking the test's DNS server.
 *
 * <p>What Postfix as root in a container needs, found while building this: {@code
 * inet_interfaces} may only name addresses configured on an interface (127.0.0.4 is routed to
 * {@code lo} but not configured), so it says {@code loopback-only} and master.cf binds the
 * service to {@code 127.0.0.4:<port>} explicitly; {@code maillog_file} must lie under one of
 * {@code maillog_file_prefixes}; {@code data_directory} must belong to {@code mail_owner}
 * (postfix); every directory the daemons (user postfix) and virtual delivery (user nobody)
 * touch must be reachable by them, so the temporary directory is made world-traversable.
 * Without {@code /dev/log} Postfix reports start-up errors only in {@code maillog_file}.
 */
final class ClassicMailServer implements AutoCloseable {

    static final String DOMAIN = "classic.test";
    static final String HOST = "mail.classic.test";
    /** The address the test submits from; OpenDKIM signs only mail from there. */
    static final String SUBMIT_FROM = "127.0.0.5";
    private static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    private static final Path OPENDKIM = Path.of("/usr/sbin/opendkim");
    private static final Path OPENDKIM_GENKEY = Path.of("/usr/sbin/opendkim-genkey");
    private static final Duration START_DEADLINE = Duration.ofSeconds(20);

    private final Path dir;
    private final Path conf;
    private final InetSocketAddress smtp;
    private Process opendkim;
    private boolean postfixStarted;

    private ClassicMailServer(Path dir, InetSocketAddress smtp) {
        this.dir = dir;
        this.conf = dir.resolve("postfix");
        this.smtp = smtp;
    }

    /** Skips the test (fails it when CI=true) unless Postfix and OpenDKIM are installed. */
    static void requireInstalled() {
        for (Path program : List.of(POSTFIX, OPENDKIM, OPENDKIM_GENKEY)) {
            if (!Files.isExecutable(program)) {
                String message = program + " is not installed (Debian packages postfix, opendkim, opendkim-tools);"
                        + " run scripts/install-test-deps";
                throw MissingProgram.report(message);
            }
        }
    }

    /**
     * Prepares configuration and keys in {@code dir} (whose ancestors users postfix and nobody
     * must be able to traverse; JUnit's temporary directories are private): a TLS certificate for {@link #HOST} from
     * {@code ca}, a DKIM key (selector {@code mail}), maildirs for {@code mailboxes} (local parts).
     */
    static ClassicMailServer prepare(Path dir, InetSocketAddress smtp, TestCa ca, Path caFile,
            List<String> mailboxes) throws Exception {
        requireInstalled();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ClassicMailServer server = new ClassicMailServer(dir, smtp);
        Files.createDirectories(server.conf);
        Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        Files.setOwner(data, users.lookupPrincipalByName("postfix"));
        Path mail = Files.createDirectories(dir.resolve("mail"));
        for (String box : mailboxes) {
            for (String sub : List.of("new", "cur", "tmp")) {
                Files.createDirectories(mail.resolve(box).resolve(sub));
            }
        }
        try (Stream<Path> all = Files.walk(mail)) {
            for (Path p : all.toList()) {
                Files.setOwner(p, users.lookupPrincipalByName("nobody"));
            }
        }
        ca.issue(HOST).write(dir.resolve("tls-chain.pem"), dir.resolve("tls-key.pem"));
        Files.copy(caFile, dir.resolve("ca.pem"));
        run(List.of(OPENDKIM_GENKEY.toString(), "-D", Files.createDirectories(dir.resolve("dkim")).toString(),
                "-d", DOMAIN, "-s", "mail", "-b", "2048"), dir);
        return server;
    }

    /** The zone of classic.test for the test's DNS server: MX, address and the DKIM key OpenDKIM signs with. */
    String zone(String ip) throws IOException {
        return "@ IN MX 10 " + HOST + ".\n"
                + "@ IN A " + ip + "\n"
                + "mail IN A " + ip + "\n"
                + Files.readString(dir.resolve("dkim/mail.txt"));
    }

    /**
     * Starts OpenDKIM, then Postfix. {@code relayAddress}:{@code relayPort} is where mail for
     * {@code relay1.test} goes ({@code relay1.test} is the name its certificate must carry);
     * {@code dns} the test's DNS server, for OpenDKIM's key lookups in {@code zones}.
     */
    void start(String relayDomain, InetSocketAddress relay, InetSocketAddress dns, List<String> zones,
            List<String> mailboxes) throws Exception {
        int milterPort = freePort();
        // OpenDKIM resolves through libunbound, which answers names under .test (RFC 6761) itself
        // unless told otherwise, and never asks a server on the loopback address by default.
        StringBuilder unbound = new StringBuilder("server:\n  do-not-query-localhost: no\n  local-zone: \"test.\" nodefault\n");
        for (String zone : zones) {
            unbound.append("stub-zone:\n  name: \"").append(zone).append("\"\n  stub-addr: ")
                    .append(dns.getAddress().getHostAddress()).append('@').append(dns.getPort()).append('\n');
        }
        Files.writeString(dir.resolve("unbound.conf"), unbound);
        Files.writeString(dir.resolve("opendkim.conf"), String.join("\n",
                "Mode sv",
                "Domain " + DOMAIN,
                "Selector mail",
                "KeyFile " + dir.resolve("dkim/mail.private"),
                "Socket inet:" + milterPort + "@127.0.0.1",
                "Canonicalization relaxed/simple",
                "Background no",
                "Syslog no",
                "RequireSafeKeys false",
                "InternalHosts " + SUBMIT_FROM,
                "AuthservID " + HOST,
                "ResolverConfiguration " + dir.resolve("unbound.conf"),
                ""));
        opendkim = new ProcessBuilder(OPENDKIM.toString(), "-f", "-x", dir.resolve("opendkim.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("opendkim.log").toFile()).start();
        awaitListening(new InetSocketAddress("127.0.0.1", milterPort), () -> opendkim.isAlive() ? ""
                : "opendkim exited: " + Files.readString(dir.resolve("opendkim.log")));

        String relayNexthop = "[" + relay.getAddress().getHostAddress() + "]:" + relay.getPort();
        String mailboxMap = String.join(", ", mailboxes.stream().map(b -> b + "@" + DOMAIN + "=" + b + "/").toList());
        Files.writeString(conf.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + dir.resolve("data"),
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = " + HOST,
                "mydomain = " + DOMAIN,
                "myorigin = " + DOMAIN,
                "mydestination =",
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "alias_maps =",
                "alias_database =",
                "biff = no",
                "maillog_file_prefixes = " + dir,
                "maillog_file = " + dir.resolve("maillog"),
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
                "virtual_mailbox_domains = " + DOMAIN,
                "virtual_mailbox_base = " + dir.resolve("mail"),
                "virtual_mailbox_maps = inline:{ " + mailboxMap + " }",
                "virtual_uid_maps = static:65534",
                "virtual_gid_maps = static:65534",
                // Postfix asks the system's resolver for MX records; the test's DNS server is on
                // another port, so mail for the relay's domain goes straight to its address.
                "transport_maps = inline:{ " + relayDomain + "=smtp:" + relayNexthop + " }",
                "smtp_host_lookup = native",
                "smtp_tls_security_level = verify",
                "smtp_tls_CAfile = " + dir.resolve("ca.pem"),
                "smtp_tls_policy_maps = inline:{ {" + relayNexthop + " = verify match=" + relayDomain + "} }",
                "smtpd_tls_security_level = may",
                "smtpd_tls_loglevel = 1",
                "smtp_tls_loglevel = 1",
                "smtpd_tls_chain_files = " + dir.resolve("tls-key.pem") + ", " + dir.resolve("tls-chain.pem"),
                "smtpd_milters = inet:127.0.0.1:" + milterPort,
                "non_smtpd_milters = $smtpd_milters",
                "milter_default_action = tempfail",
                "minimal_backoff_time = 1s",
                "maximal_backoff_time = 10s",
                "queue_run_delay = 1s",
                ""));
        Files.writeString(conf.resolve("master.cf"), String.join("\n",
                smtp.getAddress().getHostAddress() + ":" + smtp.getPort() + " inet n - n - - smtpd",
                "pickup    unix  n - n 60 1 pickup",
                "cleanup   unix  n - n -  0 cleanup",
                "qmgr      unix  n - n 300 1 qmgr",
                "tlsmgr    unix  - - n 1000? 1 tlsmgr",
                "rewrite   unix  - - n -  - trivial-rewrite",
                "bounce    unix  - - n -  0 bounce",
                "defer     unix  - - n -  0 bounce",
                "trace     unix  - - n -  0 bounce",
                "verify    unix  - - n -  1 verify",
                "flush     unix  n - n 1000? 0 flush",
                "proxymap  unix  - - n -  - proxymap",
                "smtp      unix  - - n -  - smtp",
                "relay     unix  - - n -  - smtp",
                "showq     unix  n - n -  - showq",
                "error     unix  - - n -  - error",
                "retry     unix  - - n -  - error",
                "discard   unix  - - n -  - discard",
                "local     unix  - n n -  - local",
                "virtual   unix  - n n -  - virtual",
                "anvil     unix  - - n -  1 anvil",
                "scache    unix  - - n -  1 scache",
                "postlog   unix-dgram n - n - 1 postlogd",
                ""));
        postfixStarted = true;
        // "postfix start" returns once the master has bound its listeners (master -w).
        run(List.of(POSTFIX.toString(), "-c", conf.toString(), "start"), dir);
    }

    InetSocketAddress smtp() {
        return smtp;
    }

    /** What Postfix logged, for failure messages. */
    String log() throws IOException {
        Path log = dir.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "(no maillog)";
    }

    /** The messages in a mailbox, oldest first. */
    List<String> mailbox(String box) throws IOException {
        List<String> messages = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("mail").resolve(box).resolve("new"))) {
            for (Path f : files.sorted().toList()) {
                messages.add(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return messages;
    }

    /** Watches a mailbox for new messages; open it before the mail is sent. */
    MailboxWatch watch(String box) throws IOException {
        Path newDir = dir.resolve("mail").resolve(box).resolve("new");
        WatchService watcher = FileSystems.getDefault().newWatchService();
        newDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
        return new MailboxWatch(this, box, watcher);
    }

    record MailboxWatch(ClassicMailServer server, String box, WatchService watcher) implements AutoCloseable {
        /** Waits until a message lands in the mailbox (maildir delivery renames it into new/); returns it. */
        String await(long seconds) throws Exception {
            Instant deadline = Instant.now().plusSeconds(seconds);
            while (true) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                WatchKey key = left > 0 ? watcher.poll(left, TimeUnit.MILLISECONDS) : null;
                if (key == null) {
                    throw new AssertionError("no mail for " + box + " within " + seconds + " s; Postfix log:\n" + server.log());
                }
                var events = key.pollEvents();
                key.reset();
                for (var event : events) {
                    if (event.context() instanceof Path name) {
                        Path file = server.dir.resolve("mail").resolve(box).resolve("new").resolve(name);
                        return Files.readString(file, StandardCharsets.UTF_8);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            watcher.close();
        }
    }

    private interface Diagnosis {
        String get() throws IOException;
    }

    /**
     * Connection attempts until the server accepts: OpenDKIM gives no readiness signal when it
     * logs nowhere, so this is the one place that polls (every 20 ms, with a deadline).
     */
    private static void awaitListening(InetSocketAddress address, Diagnosis whyNot) throws Exception {
        Instant deadline = Instant.now().plus(START_DEADLINE);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return;
            } catch (IOException notYet) {
                String problem = whyNot.get();
                if (!problem.isEmpty() || Instant.now().isAfter(deadline)) {
                    throw new IOException("nothing listens on port " + address.getPort() + ": " + problem);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static void run(List<String> command, Path dir) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile()).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Path log = dir.resolve("maillog");
            throw new IOException(String.join(" ", command) + " failed: " + output
                    + (Files.exists(log) ? "\nmaillog:\n" + Files.readString(log) : ""));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (postfixStarted) {
            try {
                run(List.of(POSTFIX.toString(), "-c", conf.toString(), "stop"), dir);
            } catch (Exception e) {
                System.err.println("could not stop the test's Postfix: " + e.getMessage());
            }
        }
        if (opendkim != null) {
            opendkim.destroy();
            try {
                if (!opendkim.waitFor(10, TimeUnit.SECONDS)) {
                    opendkim.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
