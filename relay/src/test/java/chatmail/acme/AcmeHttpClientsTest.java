package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.connector.NetworkSettings;

/** The HTTP clients acme4j asks the relay for: a stop must not leave one running. */
class AcmeHttpClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aStopShutsDownEveryClientMadeAndAnyMadeAfterIt() throws Exception {
        SSLContext trust = SSLContext.getDefault();
        AcmeClient.TrustingProvider provider = new AcmeClient.TrustingProvider(() -> trust);
        HttpClient first = provider.createHttpClient(new NetworkSettings());
        HttpClient second = provider.createHttpClient(new NetworkSettings());
        assertThat(first.isTerminated()).isFalse();

        provider.close();
        HttpClient afterTheStop = provider.createHttpClient(new NetworkSettings());

        assertThat(first.awaitTermination(WAIT)).as("the first of two clients").isTrue();
        assertThat(second.awaitTermination(WAIT)).as("the second").isTrue();
        assertThat(afterTheStop.awaitTermination(WAIT)).as("one asked for after the stop").isTrue();
    }
}
