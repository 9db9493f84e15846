package chatmail.acme;

import chatmail.testing.FreePorts;
import chatmail.testing.MissingProgram;
import chatmail.testing.TestCa;
import chatmail.tls.PemFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real ACME CA for tests: Pebble 2.4 from Debian on loopback, validating challenges on the
 * fixed {@code httpPort} / {@code tlsPort} (the relay's http_port and https_port must be these)
 * of the addresses the test's DNS server gives. Its own HTTPS listener presents a certificate
 * from {@code ca}, which the relay trusts through trusted_ca_file. Its root changes at every
 * start; {@link #root()} is it. Fast and deterministic: no validation sleeps, no rejected
 * nonces, no reused authorizations.
 */
final class PebbleServer implements AutoCloseable {

    private static final Path PEBBLE = Path.of("/usr/bin/pebble");

    private final Process process;
    private final int acmePort;
    private final int httpPort;
    private final int tlsPort;
    private final X509Certificate root;

    private PebbleServer(Process process, int acmePort, int httpPort, int tlsPort, X509Certificate root) {
        this.process = process;
        this.acmePort = acmePort;
        this.httpPort = httpPort;
        this.tlsPort = tlsPort;
        this.root = root;
    }

    /**
     * @param dnsServer the DNS server Pebble asks for the names it validates, host:port
     * @param validity lifetime of the certificates it issues
     */
    static PebbleServer start(Path dir, TestCa ca, String dnsServer, Duration validity) throws Exception {
        if (!Files.isExecutable(PEBBLE)) {
            throw MissingProgram.report("pebble (Debian package pebble) is not installed; run scripts/install-test-deps");
        }
        int[] ports = FreePorts.take(4);
        int acme = ports[0];
        int management = ports[1];
        Path cert = dir.resolve("pebble-cert.pem");
        Path key = dir.resolve("pebble-key.pem");
        ca.issueForIp("127.0.0.1").write(cert, key);
        Path config = Files.writeString(dir.resolve("pebble.json"), """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false,
                  "certificateValidityPeriod": %d
                }}
                """.formatted(acme, management, cert, key, ports[2], ports[3], validity.toSeconds()));
        ProcessBuilder builder = new ProcessBuilder(PEBBLE.toString(), "-config", config.toString(), "-dnsserver", dnsServer)
                .redirectErrorStream(true);
        builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
        builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        builder.environment().put("PEBBLE_AUTHZREUSE", "0");
        Process process = builder.start();
        try {
            CompletableFuture<Void> announced = new CompletableFuture<>();
            List<String> lines = new ArrayList<>();
            Thread.ofVirtual().name("pebble-output").start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        if (line.contains("ACME directory available at")) {
                            announced.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
                announced.completeExceptionally(new IOException("pebble ended: " + lines));
            });
            announced.get(30, TimeUnit.SECONDS);
            // Pebble announces its listeners just before it binds them.
            awaitListening(acme, process);
            awaitListening(management, process);
            X509Certificate root = PemFiles.readCertificates(get(ca, "https://127.0.0.1:" + management + "/roots/0")).getFirst();
            return new PebbleServer(process, acme, ports[2], ports[3], root);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static void awaitListening(int port, Process process) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (ConnectException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IOException("pebble does not listen on " + port, notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    private static String get(TestCa ca, String url) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        try (HttpClient client = HttpClient.newBuilder().sslContext(context).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(url + ": " + response.statusCode());
            }
            return response.body();
        }
    }

    URI directory() {
        return URI.create("https://127.0.0.1:" + acmePort + "/dir");
    }

    /** The relay's http_port: where Pebble asks for HTTP-01 answers. */
    int httpPort() {
        return httpPort;
    }

    /** The relay's https_port: where Pebble asks for TLS-ALPN-01 answers. */
    int tlsPort() {
        return tlsPort;
    }

    /** The root of every certificate this Pebble issues. */
    X509Certificate root() {
        return root;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
