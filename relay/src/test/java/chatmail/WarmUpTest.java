package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.testing.PrometheusText;
import chatmail.testing.TestRelay;
import chatmail.tls.CertificateNames;
import chatmail.tls.SelfSignedCertificateFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up after ready, with an HTTPS port whose certificate the relay's outbound trust
 * accepts, so its POST to itself is answered: it ends, and leaves nothing behind that a client
 * or an operator would see (no message, no refusal counted).
 */
class WarmUpTest {

    @TempDir
    Path dir;

    @Test
    void theWarmUpPostsToItselfWithoutStoringOrCountingAnything() throws Exception {
        String domain = "warm.localhost";
        Path certs = Files.createDirectories(dir.resolve("certs"));
        SelfSignedCertificateFiles files = new SelfSignedCertificateFiles(certs, Clock.systemUTC());
        files.loadOrGenerate(domain, new CertificateNames(Set.of(domain), Set.of()));
        Config.Builder b = Config.builder(domain);
        b.dataDir = Files.createDirectories(dir.resolve("data"));
        b.listenAddresses = List.of("127.0.0.1");
        b.tlsCertFile = files.certificateFile();
        b.tlsKeyFile = files.keyFile();
        // The self-signed certificate is its own CA: the verifying client accepts it.
        b.trustedCaFile = files.certificateFile();
        b.notifyUrl = URI.create("http://127.0.0.1:9/notify");
        b.dnsResolver = "127.0.0.1:9";
        b.acmeDirectory = TestRelay.NO_ACME;
        b.metricsAddress = "127.0.0.1:9";
        Relay.Options warmingUp = new Relay.Options(Clock.systemUTC(), ResourceProbe.ample(), true, false, true);
        try (Relay relay = Relay.start(b.build(), warmingUp)) {
            relay.awaitWarmUp();

            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + relay.ports().get("metrics") + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Map<String, Double> metrics = PrometheusText.parse(scrape.body());
            assertThat(metrics).as("some refusal and delivery series exist")
                    .containsKey("chatmail_messages_refused_total{reason=\"unknown_user\"}");
            metrics.forEach((series, value) -> {
                if (series.startsWith("chatmail_messages_refused") || series.startsWith("chatmail_messages_delivered")) {
                    assertThat(value).as(series).isZero();
                }
            });
            assertThat(relay.store().statistics(java.time.LocalDate.now()).messages()).as("nothing stored").isZero();
        }
    }
}
