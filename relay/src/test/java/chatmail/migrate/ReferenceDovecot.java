package chatmail.migrate;

import chatmail.testing.MissingProgram;
import chatmail.testing.TestCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Dovecot configured as the reference chatmail relay configures it (cmdeploy's
 * dovecot.conf: {@code mail_location = maildir:<mailboxes>/%u}, {@code mail_plugins = $mail_plugins
 * zlib quota}, {@code zlib_save = gz}, {@code imap_capability = +XDELTAPUSH XCHATMAIL}, TLS 1.3),
 * with users in a passwd-file whose hashes come from {@code doveadm pw -s SHA512-CRYPT}. It runs in
 * the foreground as a child of the test, from its own directory under /tmp (the mail processes
 * run as nobody and must reach the mailboxes), listening on one loopback address: IMAPS, LMTP on a
 * unix socket, and optionally submissions relaying to an SMTP sink.
 */
public final class ReferenceDovecot implements AutoCloseable {
    static final int MAIL_UID = 65534;

    private final Path dir;
    private final Path mailboxes;
    private final String address;
    private final int imapsPort;
    private final int submissionsPort;
    private final int relayPort;
    private final String domain;
    private final Map<String, String> hashes = new LinkedHashMap<>();
    private Process master;

    private ReferenceDovecot(Path dir, String domain, String address, int imapsPort, int submissionsPort, int relayPort) {
        this.dir = dir;
        this.mailboxes = dir.resolve("mailboxes");
        this.domain = domain;
        this.address = address;
        this.imapsPort = imapsPort;
        this.submissionsPort = submissionsPort;
        this.relayPort = relayPort;
    }

    /**
     * A configured, not yet started Dovecot. {@code submissionsPort} 0 leaves submission off; else
     * it relays what it accepts to an SMTP server on 127.0.0.1:{@code relayPort}.
     */
    public static ReferenceDovecot create(String domain, String address, int imapsPort, int submissionsPort, int relayPort)
            throws Exception {
        for (String program : List.of("/usr/sbin/dovecot", "/usr/bin/doveadm")) {
            if (!Files.isExecutable(Path.of(program))) {
                throw MissingProgram.report(program + " is missing: install dovecot-imapd dovecot-lmtpd"
                        + " dovecot-submissiond (scripts/install-test-deps)");
            }
        }
        if (submissionsPort != 0 && !Files.exists(Path.of("/usr/lib/dovecot/submission"))) {
            throw MissingProgram.report("Dovecot's submission service is missing: install dovecot-submissiond");
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "chatmail-dovecot-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ReferenceDovecot dovecot = new ReferenceDovecot(dir, domain, address, imapsPort, submissionsPort, relayPort);
        Files.createDirectories(dovecot.mailboxes);
        Files.setAttribute(dovecot.mailboxes, "unix:uid", MAIL_UID);
        Files.setAttribute(dovecot.mailboxes, "unix:gid", MAIL_UID);
        Files.createDirectories(dir.resolve("tls"));
        TestCa.create("reference CA").issue(domain).write(dir.resolve("tls/cert.pem"), dir.resolve("tls/key.pem"));
        Files.writeString(dovecot.users(), "", StandardCharsets.US_ASCII);
        Files.writeString(dovecot.config(), dovecot.configText(), StandardCharsets.US_ASCII);
        return dovecot;
    }

    /** A free TCP port on {@code address} now (the tests that need fixed ports pick them so). */
    public static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        }
    }

    private Path config() {
        return dir.resolve("dovecot.conf");
    }

    private Path users() {
        return dir.resolve("users");
    }

    public Path mailboxes() {
        return mailboxes;
    }

    public Path lmtpSocket() {
        return dir.resolve("run/lmtp");
    }

    public String address() {
        return address;
    }

    public int imapsPort() {
        return imapsPort;
    }

    public int submissionsPort() {
        return submissionsPort;
    }

    private String configText() {
        boolean submission = submissionsPort != 0;
        String d = dir.toString();
        return """
                # The reference relay's Dovecot (cmdeploy/src/cmdeploy/dovecot/dovecot.conf.j2), for a test.
                instance_name = chatmail-test-%1$s
                base_dir = %2$s/run
                state_dir = %2$s/state
                log_path = %2$s/dovecot.log
                protocols = imap lmtp%3$s
                listen = %4$s
                hostname = %9$s
                default_internal_user = dovecot
                default_login_user = dovenull
                auth_mechanisms = plain
                auth_username_chars = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@[]
                passdb {
                  driver = passwd-file
                  args = scheme=SHA512-CRYPT %2$s/users
                }
                userdb {
                  driver = passwd-file
                  args = %2$s/users
                  default_fields = uid=%5$d gid=%5$d home=%2$s/mailboxes/%%u
                }
                mail_location = maildir:%2$s/mailboxes/%%u
                mail_uid = %5$d
                mail_gid = %5$d
                mail_plugins = $mail_plugins zlib quota
                imap_capability = +XDELTAPUSH XCHATMAIL
                lmtp_add_received_header = no
                plugin {
                  zlib_save = gz
                  quota = maildir:User quota
                  quota_rule = *:storage=500M
                  quota_grace = 0
                }
                ssl = required
                ssl_cert = <%2$s/tls/cert.pem
                ssl_key = <%2$s/tls/key.pem
                ssl_min_protocol = TLSv1.3
                service imap-login {
                  inet_listener imap {
                    port = 0
                  }
                  inet_listener imaps {
                    port = %6$d
                    ssl = yes
                  }
                }
                service lmtp {
                  unix_listener lmtp {
                    mode = 0666
                  }
                }
                %7$s
                """.formatted(Long.toString(ProcessHandle.current().pid()) + "-" + dir.getFileName(), d,
                submission ? " submission" : "", address, MAIL_UID, imapsPort,
                submission ? submissionBlock() : "", relayPort, domain);
    }

    private String submissionBlock() {
        return """
                submission_relay_host = 127.0.0.1
                submission_relay_port = %d
                submission_relay_trusted = yes
                service submission-login {
                  inet_listener submission {
                    port = 0
                  }
                  inet_listener submissions {
                    port = %d
                    ssl = yes
                  }
                }
                """.formatted(relayPort, submissionsPort);
    }

    /** Adds a user with a hash doveadm makes; returns the hash, as chatmaild keeps it in {@code password}. */
    public String addUser(String user, String password) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/doveadm", "-c", config().toString(), "pw", "-s", "SHA512-CRYPT",
                "-p", password).redirectErrorStream(true).start();
        String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !hash.startsWith("{SHA512-CRYPT}$6$")) {
            throw new IOException("doveadm pw failed: " + hash);
        }
        hashes.put(user, hash);
        StringBuilder lines = new StringBuilder();
        hashes.forEach((u, h) -> lines.append(u).append(':').append(h).append("::::::\n"));
        Files.writeString(users(), lines, StandardCharsets.US_ASCII);
        return hash;
    }

    /** Starts the master in the foreground and waits until IMAPS and LMTP accept connections. */
    public void start() throws Exception {
        Files.deleteIfExists(lmtpSocket());
        master = new ProcessBuilder("/usr/sbin/dovecot", "-F", "-c", config().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("master.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(accepts(imapsPort) && Files.exists(lmtpSocket()) && (submissionsPort == 0 || accepts(submissionsPort)))) {
            if (!master.isAlive()) {
                throw new IOException("dovecot exited with " + master.exitValue() + ": " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("dovecot did not start listening within 60 s: " + log());
            }
            master.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    private boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Stops the master and waits until it and every process it started are gone. */
    public void stop() throws InterruptedException {
        if (master == null) {
            return;
        }
        List<ProcessHandle> children = master.descendants().toList();
        master.destroy();
        if (!master.waitFor(60, TimeUnit.SECONDS)) {
            master.destroyForcibly();
            master.waitFor(30, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException stuck) {
                child.destroyForcibly();
            }
        }
        master = null;
    }

    public String log() {
        try {
            Path log = dir.resolve("dovecot.log");
            String text = Files.exists(log) ? Files.readString(log) : "";
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Delivers one message over LMTP, as Postfix does on the reference relay. */
    public void deliver(String recipient, byte[] message) throws IOException {
        try (LmtpClient lmtp = LmtpClient.connect(lmtpSocket())) {
            lmtp.deliver("sender@example.org", recipient, message);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping dovecot", e);
        } finally {
            deleteRecursively(dir);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
