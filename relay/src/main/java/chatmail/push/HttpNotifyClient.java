package chatmail.push;

import chatmail.util.Lazy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * POSTs a device token, as the raw request body, to the notify URL (PUSH-1) with the JDK's
 * {@link HttpClient}: HTTP/2 where the server offers it, one pooled connection reused across
 * notifications, TLS through the relay's outbound context (system CAs plus
 * {@code trusted_ca_file}) with hostname verification. Plain {@code http://} URLs (a local
 * notification proxy) speak HTTP/1.1 without an upgrade attempt.
 */
public final class HttpNotifyClient implements NotifyClient, AutoCloseable {

    private final URI notifyUrl;
    private final PushSettings settings;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    // Made on the first notification: the JDK's client and the outbound trust store are start-up
    // work a relay without push users never needs.
    private final Lazy<HttpClient> client;

    public HttpNotifyClient(URI notifyUrl, SSLContext outboundTls, PushSettings settings) {
        this(notifyUrl, () -> outboundTls, settings);
    }

    public HttpNotifyClient(URI notifyUrl, Supplier<SSLContext> outboundTls, PushSettings settings) {
        this.notifyUrl = notifyUrl;
        this.settings = settings;
        boolean https = "https".equals(notifyUrl.getScheme().toLowerCase(Locale.ROOT));
        this.client = new Lazy<>(() -> {
            SSLContext context = outboundTls.get();
            SSLParameters tls = context.getDefaultSSLParameters();
            tls.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return HttpClient.newBuilder()
                    .sslContext(context)
                    .sslParameters(tls)
                    .version(https ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.connectTimeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(executor)
                    .build();
        });
    }

    @Override
    public NotifyOutcome notify(String token) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(notifyUrl)
                .timeout(settings.requestTimeout())
                .POST(HttpRequest.BodyPublishers.ofString(token, StandardCharsets.UTF_8))
                .build();
        try {
            return NotifyOutcome.ofStatus(client.get().send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            // The class names the kind of trouble (timeout, refused, TLS); messages may quote more than the log should hold.
            return new NotifyOutcome.Failed(e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        HttpClient made = client.ifMade();
        if (made != null) {
            made.shutdownNow();
        }
        executor.shutdownNow();
    }
}
