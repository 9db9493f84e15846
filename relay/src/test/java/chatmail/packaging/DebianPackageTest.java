package chatmail.packaging;

import static chatmail.testing.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.TrustAllTls;
import chatmail.testing.MissingProgram;
import chatmail.testing.ProjectDir;
import chatmail.testing.PrometheusText;
import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import chatmail.tls.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian package of SPEC OPS-5 on this machine, as root: installed, checked, upgraded over
 * itself, run the way its systemd unit runs it (user chatmail, only CAP_NET_BIND_SERVICE) and
 * purged. It changes the real system (/usr/bin/chatmail, the user chatmail, /var/lib/chatmail,
 * /etc/chatmail), so it runs alone, after {@code mvn verify}: {@code scripts/test-package}
 * builds the package with {@code ./chatmail package} and runs this class ({@code -Dgroups=package}).
 * Whatever happens, it purges the package and removes what it made.
 */
@Tag("package")
class DebianPackageTest {

    private static final Path INI = Path.of("/etc/chatmail/chatmail.ini");
    private static final Path DATA = Path.of("/var/lib/chatmail");
    private static final Path UNIT = Path.of("/lib/systemd/system/chatmail.service");
    private static final Path ENABLED = Path.of("/etc/systemd/system/multi-user.target.wants/chatmail.service");
    private static final Path LAUNCHER = Path.of("/usr/bin/chatmail");
    private static final Path AOT_CACHE = Path.of("/usr/lib/chatmail/chatmail.aot");
    private static final Duration START = Duration.ofMinutes(2);

    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private Process relay;

    @Test
    void installRunUpgradeAndPurge() throws Exception {
        Path deb = preconditions();
        try {
            installedFilesOwnersAndModes(deb);
            purgeRemovesWhatInstallMade(true);

            aptInstall(deb);
            upgradeOverItselfKeepsDataAndConfig(deb);
            configureForLoopback();
            dnsAsRootLeavesFilesTheRelayUserCanRead();
            onlyTheCapabilityBindsPort465();
            startLikeTheUnit();
            servesEverythingItsRuntimeNeedsModulesFor();
            metricsCountExactlyWhatClientsDid();
            stopOnSigtermWithJournalLines();
            statusIsUnhealthyWithACertificateExpiringWithinADay();

            purgeRemovesWhatInstallMade(false);
        } finally {
            cleanUp();
        }
    }

    // ---- steps

    private Path preconditions() throws Exception {
        if (!"0".equals(HostCommand.run(List.of("id", "-u")).out().strip())) {
            throw MissingProgram.report("the package test installs a Debian package and needs root");
        }
        for (String program : List.of("dpkg", "systemd-analyze", "setpriv", "promtool", "/usr/bin/python3")) {
            if (HostCommand.run(List.of("sh", "-c", "command -v " + program)).exit() != 0) {
                throw MissingProgram.report(program + " is missing: run scripts/install-test-deps");
            }
        }
        if (HostCommand.run(List.of("/usr/bin/python3", "-c", "import prometheus_client.parser")).exit() != 0) {
            throw MissingProgram.report("python3-prometheus-client is missing: run scripts/install-test-deps");
        }
        assertThat(HostCommand.run(List.of("dpkg", "-s", "chatmail")).exit()).as("chatmail already installed here").isNotZero();
        assertThat(HostCommand.run(List.of("getent", "passwd", "chatmail")).exit()).as("a user chatmail exists here").isNotZero();
        assertThat(INI.getParent()).as("left from elsewhere").doesNotExist();
        assertThat(DATA).as("left from elsewhere").doesNotExist();

        String named = System.getProperty("chatmail.deb");
        Path deb;
        if (named != null && !named.isBlank()) {
            deb = Path.of(named);
        } else {
            try (Stream<Path> debs = Files.list(ProjectDir.resolve("target"))) {
                deb = debs.filter(p -> p.getFileName().toString().matches("chatmail_.*\\.deb"))
                        .findFirst().orElseThrow(() -> new AssertionError("no target/chatmail_*.deb: run ./chatmail package"));
            }
        }
        String version = HostCommand.run(List.of("dpkg-deb", "-f", deb.toString(), "Version")).ok("dpkg-deb -f").out().strip();
        String arch = HostCommand.run(List.of("dpkg", "--print-architecture")).ok("dpkg").out().strip();
        assertThat(version).matches("0\\.1\\.0~snapshot\\d{8}\\.\\d{6}");
        assertThat(deb.getFileName().toString()).isEqualTo("chatmail_" + version + "_" + arch + ".deb");
        return deb;
    }

    private void install(Path deb) throws Exception {
        HostCommand.run(List.of("dpkg", "-i", deb.toString())).ok("dpkg -i");
    }

    /** The README's way: apt installs a local package file, checking its dependencies (all present). */
    private void aptInstall(Path deb) throws Exception {
        HostCommand.run(List.of("apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=120",
                deb.toAbsolutePath().toString()), Map.of("DEBIAN_FRONTEND", "noninteractive"), null).ok("apt-get install ./deb");
        assertThat(HostCommand.run(List.of("dpkg", "-s", "chatmail")).ok("dpkg -s").out()).contains("Status: install ok installed");
    }

    private void installedFilesOwnersAndModes(Path deb) throws Exception {
        HostCommand installed = HostCommand.run(List.of("dpkg", "-i", deb.toString())).ok("dpkg -i");
        String host = HostCommand.run(List.of("hostname")).ok("hostname").out().strip();
        String domain = host.contains(".") ? host : "chat.example.org";
        assertThat(installed.out()).contains("chatmail: wrote " + INI + " for " + domain);

        String[] user = HostCommand.run(List.of("getent", "passwd", "chatmail")).ok("getent").out().strip().split(":");
        assertThat(Integer.parseInt(user[2])).as("a system user").isLessThan(1000);
        assertThat(user[5]).isEqualTo(DATA.toString());
        assertThat(user[6]).isEqualTo("/usr/sbin/nologin");
        assertOwnerAndMode(DATA, "chatmail", "chatmail", "rwx------");
        assertOwnerAndMode(INI, "root", "chatmail", "rw-r-----");
        assertThat(Files.readString(INI)).contains("\nmail_domain = " + domain + "\n");
        assertOwnerAndMode(LAUNCHER, "root", "root", "rwxr-xr-x");
        assertOwnerAndMode(UNIT, "root", "root", "rw-r--r--");
        assertOwnerAndMode(Path.of("/usr/lib/chatmail/runtime/bin/java"), "root", "root", "rwxr-xr-x");
        assertOwnerAndMode(Path.of("/usr/lib/chatmail/chatmail.jar"), "root", "root", "rw-r--r--");
        assertThat(sha256(Path.of("/usr/lib/chatmail/chatmail.jar")))
                .as("the package carries the jar built here").isEqualTo(sha256(ProjectDir.resolve("relay/target/chatmail.jar")));
        assertThat(Path.of("/usr/lib/chatmail/runtime/bin/javac")).as("a runtime, not a JDK").doesNotExist();
        assertOwnerAndMode(AOT_CACHE, "root", "root", "rw-r--r--");
        assertThat(Files.size(AOT_CACHE)).as("postinst trained an AOT cache").isPositive();
        assertThat(installed.err()).doesNotContain("could not make the AOT cache");
        assertThat(Files.readSymbolicLink(ENABLED)).as("enabled on first install").isEqualTo(UNIT);
        HostCommand verify = HostCommand.run(List.of("systemd-analyze", "verify", UNIT.toString()));
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.err()).as("systemd-analyze has no complaint about the unit").doesNotContain("chatmail.service");
        String unit = Files.readString(UNIT);
        assertThat(unit).contains("User=chatmail\n", "AmbientCapabilities=CAP_NET_BIND_SERVICE\n", "NoNewPrivileges=yes\n",
                "ProtectSystem=strict\n", "ReadWritePaths=/var/lib/chatmail\n", "PrivateTmp=yes\n", "UMask=0077\n",
                "LimitNOFILE=65536\n", "Restart=always\n", "ExecStart=/usr/bin/chatmail run\n");
    }

    private void purgeRemovesWhatInstallMade(boolean iniUnchanged) throws Exception {
        HostCommand.run(List.of("dpkg", "--purge", "chatmail")).ok("dpkg --purge");
        assertThat(HostCommand.run(List.of("dpkg", "-s", "chatmail")).exit()).isNotZero();
        assertThat(HostCommand.run(List.of("getent", "passwd", "chatmail")).exit()).as("user removed").isNotZero();
        assertThat(HostCommand.run(List.of("getent", "group", "chatmail")).exit()).as("group removed").isNotZero();
        for (Path gone : List.of(DATA, LAUNCHER, UNIT, Path.of("/usr/lib/chatmail"))) {
            assertThat(gone).doesNotExist();
        }
        assertThat(Files.exists(ENABLED, LinkOption.NOFOLLOW_LINKS)).as("enable link removed").isFalse();
        assertThat(Path.of("/var/lib/systemd/deb-systemd-helper-enabled/chatmail.service.dsh-also")).doesNotExist();
        if (iniUnchanged) {
            assertThat(INI.getParent()).as("the ini postinst made, unchanged, goes with purge").doesNotExist();
        } else {
            assertThat(INI).as("an ini the operator changed stays").exists();
        }
    }

    private void upgradeOverItselfKeepsDataAndConfig(Path deb) throws Exception {
        Path marker = DATA.resolve("marker");
        Files.writeString(marker, "kept");
        String ini = Files.readString(INI);
        Object cacheBefore = Files.getAttribute(AOT_CACHE, "unix:ino");
        install(deb);
        assertThat(Files.getAttribute(AOT_CACHE, "unix:ino")).as("postinst made the AOT cache for the new jar anew")
                .isNotEqualTo(cacheBefore);
        assertThat(Files.readString(marker)).isEqualTo("kept");
        assertThat(Files.readString(INI)).isEqualTo(ini);
        assertOwnerAndMode(DATA, "chatmail", "chatmail", "rwx------");
        Files.delete(marker);
    }

    /** {@code chatmail init chatmail.localhost}, then loopback only: no public CA, no outside address. */
    private void configureForLoopback() throws Exception {
        HostCommand.run(List.of(LAUNCHER.toString(), "init", "chatmail.localhost", "--config", INI.toString(), "--force"))
                .ok("chatmail init");
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("listen_addresses", "127.0.0.1");
        for (String service : List.of("smtp", "submission", "imap", "imaps", "http", "https", "metrics")) {
            ports.put(service, freePort());
        }
        ports.put("submissions", 465);
        for (String service : List.of("smtp", "submission", "submissions", "imap", "imaps", "http", "https")) {
            keys.put(service + "_port", Integer.toString(ports.get(service)));
        }
        keys.put("metrics_address", "127.0.0.1:" + ports.get("metrics"));
        keys.put("dns_resolver", "127.0.0.1:9");
        keys.put("notify_url", "http://127.0.0.1:9/notify");
        // A busy CI machine's load is no reason to refuse the test's accounts (ACC-5 has its own tests).
        keys.put("max_load_1m", "1000");
        setKeys(keys);
        assertThat(isFree(465)).as("port 465 on 127.0.0.1 is free for the test").isTrue();
    }

    private void dnsAsRootLeavesFilesTheRelayUserCanRead() throws Exception {
        HostCommand dns = HostCommand.run(List.of(LAUNCHER.toString(), "dns")).ok("chatmail dns");
        assertThat(dns.out()).contains("opendkim._domainkey");
        List<Path> made;
        try (Stream<Path> all = Files.walk(DATA)) {
            made = all.filter(p -> !p.getFileName().toString().startsWith(".chatmail.ini")).toList();
        }
        assertThat(made).as("dns made the DKIM key").anyMatch(p -> p.toString().contains("dkim"));
        for (Path p : made) {
            assertThat(Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).owner().getName())
                    .as(p.toString()).isEqualTo("chatmail");
        }
    }

    /**
     * The proof that the capability, and nothing else, lets the relay bind 465: in a network
     * namespace of its own, where net.ipv4.ip_unprivileged_port_start has the kernel's default
     * whatever this machine's other tests set in theirs.
     */
    private void onlyTheCapabilityBindsPort465() throws Exception {
        int unprivileged = Integer.parseInt(HostCommand.run(concat(FRESH_NETNS,
                List.of("cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"))).ok("unshare").out().strip());
        assertThat(unprivileged).as("net.ipv4.ip_unprivileged_port_start: 465 must need the capability").isGreaterThan(465);
        HostCommand plain = HostCommand.run(concat(FRESH_NETNS, AS_CHATMAIL, List.of(LAUNCHER.toString(), "run")));
        assertThat(plain.exit()).as(plain.err()).isEqualTo(1);
        assertThat(plain.err()).contains("cannot listen for submissions on 127.0.0.1 port 465", "Permission denied");

        relay = start(concat(FRESH_NETNS, AS_CHATMAIL, WITH_CAPABILITY, List.of(LAUNCHER.toString(), "run")));
        assertThat(String.join("\n", readUntil(relay, "metrics", START))).contains("submissions  127.0.0.1:465");
        HostCommand connect = HostCommand.run(List.of("nsenter", "--net=/proc/" + relay.pid() + "/ns/net",
                "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/465"));
        assertThat(connect.exit()).as("port 465 accepts in the relay's namespace: " + connect.err()).isZero();
        relay.destroy();
        assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.exitValue()).isEqualTo(143);
    }

    /** As systemd runs the unit: user chatmail, only CAP_NET_BIND_SERVICE, stderr to "the journal". */
    private void startLikeTheUnit() throws Exception {
        // AOTMode=on: the JVM refuses to start when the cache postinst made does not fit this
        // runtime and class path (the default, auto, would go on without it and a warning).
        relay = start(concat(AS_CHATMAIL, WITH_CAPABILITY, List.of(LAUNCHER.toString(), "run")),
                Map.of("CHATMAIL_JAVA_OPTS", "-XX:AOTMode=on"));
        List<String> out = readUntil(relay, "metrics", START);
        assertThat(String.join("\n", out)).contains("submissions  127.0.0.1:465");
        try (SmtpClient c = SmtpClient.connectTls(new InetSocketAddress("127.0.0.1", 465))) {
            assertThat(c.readReply().line()).startsWith("220 chatmail.localhost ");
        }
        assertThat(HostCommand.run(List.of("ps", "-o", "user=", "-p", Long.toString(relay.pid()))).out().strip())
                .isEqualTo("chatmail");
    }

    private void servesEverythingItsRuntimeNeedsModulesFor() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
        HttpResponse<String> page = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + ports.get("https") + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("chatmail.localhost");
        HttpResponse<byte[]> qr = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + ports.get("https") + "/qr.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(qr.statusCode()).isEqualTo(200);
        assertThat(qr.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(qr.body()))).as("a PNG image").isNotNull();
        PrometheusText.parse(scrape());
        HostCommand status = HostCommand.run(List.of(LAUNCHER.toString(), "status"));
        assertThat(status.exit()).as(status.out() + status.err()).isZero();
        assertThat(status.out()).contains("health: ok", "listeners: smtp " + ports.get("smtp"), "submissions 465",
                "metrics " + ports.get("metrics"), "(self-signed), expires ");
    }

    private void metricsCountExactlyWhatClientsDid() throws Exception {
        Map<String, Double> before = PrometheusText.parse(scrape());
        String alice = "alice0001@chatmail.localhost";
        String bob = "bobby0001@chatmail.localhost";
        try (SmtpClient c = SmtpClient.ready(465, true)) {
            c.expect(c.authPlain(bob, SmtpFixtures.PASSWORD), 235);
        }
        try (SmtpClient c = SmtpClient.ready(465, true)) {
            c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
            c.expect(c.sendMail(alice, bob, TestMessages.encrypted(alice, bob)), 250);
            assertThat(c.sendMail(alice, bob, TestMessages.plainText(alice, bob, "hello")).line()).startsWith("523 5.7.10 ");
        }
        try (SmtpClient c = SmtpClient.ready(465, true)) {
            c.expect(c.authPlain("carol0001@chatmail.localhost", "short"), 535);
        }
        try (SmtpClient c = SmtpClient.ready(465, true)) {
            c.expect(c.authPlain("x@chatmail.localhost", SmtpFixtures.PASSWORD), 535);
        }
        String text = scrape();
        Map<String, Double> after = PrometheusText.parse(text);
        assertThat(delta(before, after, "chatmail_accounts_created_total")).isEqualTo(2);
        assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", "short_password")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", "invalid_name")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_accounts_refused_total", "reason", "nocreate")).isZero();
        assertThat(delta(before, after, "chatmail_logins_total", "service", "smtp", "result", "ok")).isEqualTo(2);
        assertThat(delta(before, after, "chatmail_logins_total", "service", "smtp", "result", "failed")).isEqualTo(2);
        assertThat(delta(before, after, "chatmail_messages_delivered_total", "path", "submission")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_messages_refused_total", "reason", "not_encrypted")).isEqualTo(1);
        assertThat(delta(before, after, "chatmail_messages_refused_total", "reason", "relay_denied")).isZero();
        assertThat(value(after, "chatmail_stored_messages", "scope", "node")).isEqualTo(1);

        // Independent readers: Debian's python3-prometheus-client sees the same chatmail series; promtool lints.
        chatmail.testing.ExpositionReaders.agree(text);
    }

    private void stopOnSigtermWithJournalLines() throws Exception {
        relay.destroy();
        assertThat(relay.waitFor(60, TimeUnit.SECONDS)).as("stops within 60 s of SIGTERM").isTrue();
        assertThat(relay.exitValue()).isEqualTo(143);
        List<String> lines = Files.readAllLines(stderrFile());
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches("<[3-7]>\\w+: .*"), "journal lines with a syslog priority");
        assertThat(String.join("\n", lines)).contains("<6>Relay: chatmail relay for chatmail.localhost ready in ")
                .doesNotContain("127.0.0.1", "alice0001", SmtpFixtures.PASSWORD);
    }

    private void statusIsUnhealthyWithACertificateExpiringWithinADay() throws Exception {
        Instant now = Instant.now();
        Clock past = Clock.fixed(now.plus(Duration.ofHours(12)).minus(SelfSignedCertificate.VALIDITY), ZoneOffset.UTC);
        KeyMaterial expiring = SelfSignedCertificate.generate("chatmail.localhost",
                new CertificateNames(Set.of("chatmail.localhost"), Set.of()), past);
        Path cert = INI.resolveSibling("test-cert.pem");
        Path key = INI.resolveSibling("test-key.pem");
        Files.writeString(cert, PemFiles.toPem(expiring.chain().toArray()));
        Files.writeString(key, PemFiles.toPem(expiring.privateKey()));
        for (Path p : List.of(cert, key)) {
            HostCommand.run(List.of("chown", "root:chatmail", p.toString())).ok("chown");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
        }
        setKeys(Map.of("tls_external_cert_and_key", cert + " " + key));
        startLikeTheUnit();
        HostCommand status = HostCommand.run(List.of(LAUNCHER.toString(), "status"));
        assertThat(status.exit()).as(status.out()).isEqualTo(1);
        assertThat(status.out()).contains("health: unhealthy", "problem: certificate for chatmail.localhost expires ",
                "(less than 1d 0h left)");
        relay.destroy();
        assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private void cleanUp() throws Exception {
        if (relay != null && relay.isAlive()) {
            relay.destroyForcibly();
            relay.waitFor(30, TimeUnit.SECONDS);
        }
        HostCommand.run(List.of("dpkg", "--purge", "chatmail"));
        HostCommand.run(List.of("rm", "-rf", "/etc/chatmail", DATA.toString(), "/usr/lib/chatmail"));
        if (HostCommand.run(List.of("getent", "passwd", "chatmail")).exit() == 0) {
            HostCommand.run(List.of("userdel", "chatmail"));
        }
        if (HostCommand.run(List.of("getent", "group", "chatmail")).exit() == 0) {
            HostCommand.run(List.of("groupdel", "chatmail"));
        }
        Files.deleteIfExists(stderrFile());
    }

    // ---- helpers

    /** A new network namespace with its loopback up, for the command that follows. */
    private static final List<String> FRESH_NETNS = List.of("unshare", "--net", "sh", "-c",
            "ip link set lo up && exec \"$@\"", "netns");
    private static final List<String> AS_CHATMAIL = List.of("setpriv", "--reuid=chatmail", "--regid=chatmail", "--init-groups");
    private static final List<String> WITH_CAPABILITY = List.of("--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service");

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }

    /**
     * Starts the relay with stderr to a file that plays the journal: {@code $JOURNAL_STREAM} names
     * its device and inode, as systemd names the journal's stream.
     */
    private static Process start(List<String> command) throws IOException {
        return start(command, Map.of());
    }

    private static Process start(List<String> command, Map<String, String> environment) throws IOException {
        Files.createDirectories(stderrFile().getParent()); // surefire's tmpdir exists only after a test run made it
        Files.deleteIfExists(stderrFile());
        Files.createFile(stderrFile());
        Map<String, Object> id = Files.readAttributes(stderrFile(), "unix:dev,ino");
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderrFile().toFile()));
        pb.environment().remove("CHATMAIL_INI");
        pb.environment().put("JOURNAL_STREAM", id.get("dev") + ":" + id.get("ino"));
        pb.environment().putAll(environment);
        return pb.start();
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + ports.get("metrics") + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name, String... labels) {
        return value(after, name, labels) - value(before, name, labels);
    }

    /** Sets keys of [params] in the ini, replacing the template's line of each. */
    private static void setKeys(Map<String, String> keys) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(INI));
        for (Map.Entry<String, String> e : keys.entrySet()) {
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).matches(e.getKey() + " ?=.*")) {
                    at = i;
                }
            }
            assertThat(at).as("the template has " + e.getKey()).isNotNegative();
            lines.set(at, e.getKey() + " = " + e.getValue());
        }
        Files.write(INI, lines);
    }

    private static Path stderrFile() {
        return Path.of(System.getProperty("java.io.tmpdir"), "package-test-relay.err");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertOwnerAndMode(Path p, String owner, String group, String mode) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(a.owner().getName() + ":" + a.group().getName() + " " + PosixFilePermissions.toString(a.permissions()))
                .as(p.toString()).isEqualTo(owner + ":" + group + " " + mode);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** stdout lines of the relay up to the first containing {@code marker}. */
    private static List<String> readUntil(Process p, String marker, Duration timeout) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended; the deadline reports it
            }
        });
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no stdout line with " + marker + " within " + timeout + "; so far: " + seen + "; stderr: "
                        + Files.readString(stderrFile()));
            }
            seen.add(line);
            if (line.contains(marker)) {
                return seen;
            }
        }
    }
}
