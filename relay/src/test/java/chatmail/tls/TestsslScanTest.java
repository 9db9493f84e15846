package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MissingProgram;
import chatmail.testing.TestRelay;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-8: the relay's TLS as an independent scanner sees it. testssl.sh (Debian package
 * {@code testssl.sh}) scans ports 25 (STARTTLS), 465, 993 and 443 of a relay on loopback, all at
 * once; its JSON findings must show no SSL, no TLS below 1.2, TLS 1.3 only on the client ports,
 * no export, NULL, RC4, 3DES or CBC suites, and forward secrecy. OpenSSL's {@code s_client}
 * then checks what the scan does not ask: that no suite without forward secrecy is accepted,
 * that 587 and 143 after STARTTLS speak TLS 1.3 only, and that IMAP and SMTP behind port 443
 * (ALPN {@code imap}/{@code smtp}) refuse TLS 1.2.
 */
class TestsslScanTest {

    private static final Path TESTSSL = Path.of("/usr/bin/testssl");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir
    static Path dir;

    static TestRelay relay;
    /** testssl's findings by port service name, then by finding id. */
    static final Map<String, Map<String, String>> findings = new LinkedHashMap<>();

    /** A port to scan: the service name in the relay's port map and testssl's STARTTLS protocol, if any. */
    record Scan(String service, String starttls) {}

    static final List<Scan> SCANS = List.of(
            new Scan("smtp", "smtp"),          // 25
            new Scan("submissions", null),     // 465
            new Scan("imaps", null),           // 993
            new Scan("https", null));          // 443 (HTTPS; IMAP and SMTP by ALPN are checked below)

    @BeforeAll
    static void scan() throws Exception {
        for (Path program : List.of(TESTSSL, OPENSSL)) {
            if (!Files.isExecutable(program)) {
                throw MissingProgram.report(program + " (Debian packages testssl.sh, openssl) is not installed;"
                        + " run scripts/install-test-deps");
            }
        }
        // An RSA certificate: with it a server could also offer suites with static RSA key
        // exchange (no forward secrecy), which an EC key rules out by itself.
        Path chain = dir.resolve("rsa-cert.pem");
        Path key = dir.resolve("rsa-key.pem");
        Process req = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", chain.toString(), "-days", "2", "-subj", "/CN=" + TestRelay.DOMAIN,
                "-addext", "subjectAltName=DNS:" + TestRelay.DOMAIN).redirectErrorStream(true).start();
        String reqOutput = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(req.waitFor()).as(reqOutput).isZero();
        relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")), b -> {
            b.tlsCertFile = chain;
            b.tlsKeyFile = key;
        });
        long t0 = System.nanoTime();
        Map<String, CompletableFuture<Map<String, String>>> running = new LinkedHashMap<>();
        for (Scan scan : SCANS) {
            running.put(scan.service(), CompletableFuture.supplyAsync(() -> testssl(scan),
                    r -> Thread.ofVirtual().start(r)));
        }
        for (var e : running.entrySet()) {
            findings.put(e.getKey(), e.getValue().get(10, TimeUnit.MINUTES));
        }
        System.out.printf("testssl.sh scanned %d ports in parallel in %.1f s%n", SCANS.size(),
                (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /** Runs testssl.sh against one port and returns its findings (id to text). */
    private static Map<String, String> testssl(Scan scan) {
        try {
            Path json = dir.resolve(scan.service() + ".json");
            List<String> command = new ArrayList<>(List.of(TESTSSL.toString(), "--protocols", "--std", "--fs"));
            // Fast and quiet: no banner, no colour, no DNS, no questions, short timeouts on loopback.
            command.addAll(List.of("--fast", "--quiet", "--color", "0", "--warnings", "batch", "--nodns", "none",
                    "--connect-timeout", "10", "--openssl-timeout", "10", "--jsonfile", json.toString()));
            if (scan.starttls() != null) {
                command.addAll(List.of("--starttls", scan.starttls()));
            }
            command.add("127.0.0.1:" + relay.port(scan.service()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(scan.service() + ".txt").toFile()).start();
            if (!p.waitFor(8, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("testssl.sh did not finish for " + scan.service());
            }
            assertThat(json).as("testssl.sh output for %s: %s", scan.service(), output(scan)).exists();
            Map<String, String> byId = new LinkedHashMap<>();
            for (JsonNode finding : new ObjectMapper().readTree(json.toFile())) {
                byId.put(finding.get("id").asText(), finding.get("finding").asText());
            }
            assertThat(byId).as("a complete scan of %s: %s", scan.service(), output(scan)).containsKey("scanTime");
            return byId;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String output(Scan scan) {
        try {
            return Files.readString(dir.resolve(scan.service() + ".txt"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Test
    void noSslAndNoTlsBelow12Anywhere() {
        for (Scan scan : SCANS) {
            assertThat(findings.get(scan.service())).as(scan.service())
                    .containsEntry("SSLv2", "not offered")
                    .containsEntry("SSLv3", "not offered")
                    .containsEntry("TLS1", "not offered")
                    .containsEntry("TLS1_1", "not offered")
                    .hasEntrySatisfying("TLS1_3", v -> assertThat(v).startsWith("offered"));
        }
    }

    @Test
    void clientPortsSpeakOnlyTls13AndMxAndHttpsAlso12() {
        for (String clientPort : List.of("submissions", "imaps")) {
            assertThat(findings.get(clientPort)).as(clientPort).containsEntry("TLS1_2", "not offered");
        }
        for (String alsoTls12 : List.of("smtp", "https")) {
            assertThat(findings.get(alsoTls12)).as(alsoTls12).containsEntry("TLS1_2", "offered");
        }
    }

    @Test
    void noExportNullRc4TripleDesOrCbcSuitesAndForwardSecrecy() {
        for (Scan scan : SCANS) {
            assertThat(findings.get(scan.service())).as(scan.service())
                    .containsEntry("cipherlist_NULL", "not offered")
                    .containsEntry("cipherlist_aNULL", "not offered")
                    .containsEntry("cipherlist_EXPORT", "not offered")
                    .containsEntry("cipherlist_LOW", "not offered")       // RC4, DES, 64-bit
                    .containsEntry("cipherlist_3DES_IDEA", "not offered")
                    .containsEntry("cipherlist_AVERAGE", "not offered")   // CBC, CBC-SHA1 among them
                    .containsEntry("cipherlist_STRONG", "offered")        // AEAD only
                    .containsEntry("PFS", "offered");
        }
    }

    /**
     * 587 and 143 after STARTTLS have the settings of 465 and 993; a full scan of them would
     * double the test's time, so OpenSSL asks each TLS version once.
     */
    @Test
    void starttlsClientPortsSpeakOnlyTls13() throws Exception {
        for (String service : List.of("submission", "imap")) {
            for (String old : List.of("-tls1", "-tls1_1", "-tls1_2")) {
                OpenSsl refused = sClient(service, old, "-cipher", "ALL:@SECLEVEL=0");
                assertThat(refused.handshake()).as("%s %s: %s", service, old, refused.output()).isFalse();
            }
            OpenSsl tls13 = sClient(service, "-tls1_3");
            assertThat(tls13.handshake()).as("%s -tls1_3: %s", service, tls13.output()).isTrue();
            assertThat(tls13.output()).contains("New, TLSv1.3, Cipher is ");
        }
    }

    @Test
    void noSuiteWithoutForwardSecrecyIsAccepted() throws Exception {
        // Every suite OpenSSL knows whose key exchange is not ephemeral (static RSA above all),
        // weak ones included; the relay's key is RSA, so only its suite choice can refuse them.
        String staticKeyExchange = "ALL:COMPLEMENTOFALL:!kEECDH:!kEDH:@SECLEVEL=0";
        for (String service : List.of("smtp", "https")) {
            OpenSsl refused = sClient(service, "-tls1_2", "-cipher", staticKeyExchange);
            assertThat(refused.handshake()).as("%s without forward secrecy: %s", service, refused.output()).isFalse();
            OpenSsl accepted = sClient(service, "-tls1_2", "-cipher", "kEECDH+aRSA");
            assertThat(accepted.handshake()).as("%s with ECDHE (the control): %s", service, accepted.output()).isTrue();
        }
    }

    @Test
    void imapAndSmtpBehindPort443RefuseTls12() throws Exception {
        for (String alpn : List.of("imap", "smtp")) {
            OpenSsl tls12 = sClient("https", "-alpn", alpn, "-tls1_2");
            assertThat(tls12.handshake()).as("ALPN %s with TLS 1.2: %s", alpn, tls12.output()).isFalse();
            assertThat(tls12.output()).contains("alert protocol version");
            OpenSsl tls13 = sClient("https", "-alpn", alpn, "-tls1_3");
            assertThat(tls13.handshake()).as("ALPN %s with TLS 1.3: %s", alpn, tls13.output()).isTrue();
            assertThat(tls13.output()).contains("ALPN protocol: " + alpn);
        }
        OpenSsl https12 = sClient("https", "-alpn", "http/1.1", "-tls1_2");
        assertThat(https12.handshake()).as("HTTPS still takes TLS 1.2 (browsers): %s", https12.output()).isTrue();
    }

    record OpenSsl(boolean handshake, String output) {}

    /** {@code openssl s_client} against a port of the relay; a handshake happened when a cipher was agreed. */
    private static OpenSsl sClient(String service, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString(), "s_client", "-connect",
                "127.0.0.1:" + relay.port(service), "-servername", TestRelay.DOMAIN));
        switch (service) {
            case "smtp", "submission" -> command.addAll(List.of("-starttls", "smtp"));
            case "imap" -> command.addAll(List.of("-starttls", "imap"));
            default -> { }
        }
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close(); // EOF on stdin: s_client ends after the handshake
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        boolean agreed = output.lines().anyMatch(l -> l.matches(".*Cipher is (?!\\(NONE\\)).*"));
        return new OpenSsl(agreed, output);
    }
}
