package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The HTTPS path between chatmail relays (DLV-2): {@code POST https://<mx>:<port>/mxdeliv} with
 * {@code X-MAIL-FROM} (absent for the null sender), one {@code X-MAIL-TO} per recipient and the
 * raw message as body. Jetty's HTTP client with the relay's outbound SSL context: certificates
 * are verified, host names too, except for the unverified client used for {@code _} domains and
 * IP literals. The MX host name is resolved by {@link HostResolver} ({@code dns_resolver}, as on
 * the SMTP path), while TLS still checks the certificate against that name. Connections are
 * kept alive between posts to the same host.
 */
public final class MxDelivClient implements AutoCloseable {

    private static final Pattern SMTP_LINE = Pattern.compile("^([245])\\d\\d([ -].*)?$");

    /** The addresses of a host name or IP literal, in the order to try them. */
    @FunctionalInterface
    public interface HostResolver {
        List<InetAddress> addresses(String host) throws Exception;
    }

    private final Supplier<SSLContext> verifiedContext;
    private HttpClient verified;
    private final Supplier<SSLContext> unverifiedContext;
    private final HostResolver resolver;
    private final Duration connectTimeout;
    private HttpClient unverified;
    private boolean closed;
    private final int port;
    private final Duration requestTimeout;

    public MxDelivClient(SSLContext verifiedContext, SSLContext unverifiedContext, HostResolver resolver, int port,
            Duration connectTimeout, Duration requestTimeout) {
        this(() -> verifiedContext, () -> unverifiedContext, resolver, port, connectTimeout, requestTimeout);
    }

    /** With the TLS contexts made when first needed (the outbound trust store is start-up work otherwise). */
    public MxDelivClient(Supplier<SSLContext> verifiedContext, Supplier<SSLContext> unverifiedContext, HostResolver resolver,
            int port, Duration connectTimeout, Duration requestTimeout) {
        this.verifiedContext = verifiedContext;
        this.unverifiedContext = unverifiedContext;
        this.resolver = resolver;
        this.connectTimeout = connectTimeout;
        this.port = port;
        this.requestTimeout = requestTimeout;
    }

    /** Starts the verifying client now instead of at the first post (a relay's warm-up). */
    public void start() {
        verified();
    }

    /**
     * One POST without recipients to this relay's own /mxdeliv, by the verifying client: the TLS
     * handshake on both sides, Jetty's request and response paths on both sides and the ALPN
     * router are then loaded and run once before the first message to or from another relay
     * needs them (with only the client started, the first message after a restart still spent
     * some 150 ms there, docs/benchmarks.md "Federation"). The receiver answers 400 without
     * reading the body or counting a refusal; the connection closes after it, and nothing is
     * resolved: the address is given.
     *
     * @param self this relay's HTTPS listener
     * @param hostName the name its certificate is for (the mail domain)
     */
    public void exchangeWithSelf(InetSocketAddress self, String hostName) {
        try {
            verified().newRequest(hostName, self.getPort())
                    .scheme("https")
                    .path("/mxdeliv")
                    .method(HttpMethod.POST)
                    .transport(new FixedAddress(named(self, hostName)))
                    .headers(h -> h.put(HttpHeader.CONNECTION, "close"))
                    // A warm-up that hangs only delays the rest of the warm-up: the connect timeout, not a message's.
                    .timeout(Math.max(1, connectTimeout.toMillis()), TimeUnit.MILLISECONDS)
                    .body(new BytesRequestContent("message/rfc822", WARM_UP_BODY))
                    .send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // e.g. a certificate the outbound trust does not accept: most of the code ran all the same
        }
    }

    /**
     * The address carrying the host name, without resolving it: Jetty takes the TLS peer's name
     * (SNI, the certificate check) from the address a transport gives, and would check the
     * certificate against the bare IP address.
     */
    private static InetSocketAddress named(InetSocketAddress address, String hostName) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(hostName, address.getAddress().getAddress()),
                    address.getPort());
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }

    private static final byte[] WARM_UP_BODY = "Subject: warm-up\r\n\r\nwarm-up\r\n".getBytes(StandardCharsets.US_ASCII);

    /** TCP to one given address: no name is resolved (Jetty asks the transport instead of the resolver). */
    private static final class FixedAddress extends Transport.Wrapper {
        private final InetSocketAddress address;

        FixedAddress(InetSocketAddress address) {
            super(Transport.TCP_IP);
            this.address = address;
        }

        @Override
        public boolean requiresDomainNameResolution() {
            return false;
        }

        @Override
        public SocketAddress getSocketAddress() {
            return address;
        }
    }

    /** Made on first use, or by {@link #start()}. */
    private synchronized HttpClient verified() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (verified == null) {
            verified = client(verifiedContext.get(), resolver, connectTimeout, "mxdeliv");
        }
        return verified;
    }

    /** Only {@code _} domains and IP literals need it: made on first use. */
    private synchronized HttpClient unverified() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (unverified == null) {
            unverified = client(unverifiedContext.get(), resolver, connectTimeout, "mxdeliv-unverified");
        }
        return unverified;
    }

    private static HttpClient client(SSLContext context, HostResolver resolver, Duration connectTimeout, String name) {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setSslContext(context);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        // Host names are checked by the trust manager of the verifying context; the unverified
        // context's one accepts any certificate for any name, whatever this asks for.
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        connector.setConnectTimeout(connectTimeout);
        VirtualThreadPool threads = new VirtualThreadPool();
        threads.setName(name);
        connector.setExecutor(threads);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setExecutor(threads);
        client.setSocketAddressResolver(socketAddresses(resolver));
        client.setFollowRedirects(false);
        client.setConnectTimeout(connectTimeout.toMillis());
        // Shorter than a receiving relay's own idle timeout (ours: 30 s; the reference's nginx:
        // 75 s), so the client closes a kept connection first: a POST sent as the server closes
        // would fail and be taken for "no /mxdeliv here", sending that host's mail by SMTP.
        client.setIdleTimeout(Duration.ofSeconds(20).toMillis());
        client.setUserAgentField(null);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the /mxdeliv HTTP client", e);
        }
        return client;
    }

    private static SocketAddressResolver socketAddresses(HostResolver resolver) {
        return (host, port, context, promise) -> {
            List<InetAddress> addresses;
            try {
                addresses = resolver.addresses(host);
            } catch (Exception e) {
                promise.failed(e);
                return;
            }
            if (addresses.isEmpty()) {
                promise.failed(new UnknownHostException("no address for the MX host"));
            } else {
                promise.succeeded(addresses.stream().map(a -> new InetSocketAddress(a, port)).toList());
            }
        };
    }

    /**
     * @param host the MX host name or IP address
     * @param verify false only for {@code _} domains and IP literals
     * @param sender the envelope sender; empty for the null sender
     */
    public MxDelivOutcome post(String host, boolean verify, String sender, List<String> recipients, byte[] message)
            throws InterruptedException {
        return post(host, verify, sender, recipients, message, requestTimeout);
    }

    /**
     * As {@link #post(String, boolean, String, List, byte[])}, the whole request (connect, TLS,
     * body, answer) ending after {@code timeout} at the latest.
     */
    public MxDelivOutcome post(String host, boolean verify, String sender, List<String> recipients, byte[] message,
            Duration timeout) throws InterruptedException {
        return post(host, verify, sender, recipients, new BytesRequestContent("message/rfc822", message), timeout);
    }

    /**
     * As {@link #post(String, boolean, String, List, byte[], Duration)}, the body streamed from
     * its source (SEC-1: a queued 30 MB message is never in memory whole), its Content-Length
     * known from the size. A body the queue holds in memory (a small message) goes as it is:
     * Jetty then writes the headers and the body at once, without its stream-reading path.
     */
    public MxDelivOutcome post(String host, boolean verify, String sender, List<String> recipients, MessageBody message,
            Duration timeout) throws InterruptedException {
        var bytes = message.inMemory();
        if (bytes.isPresent()) {
            return post(host, verify, sender, recipients, bytes.get(), timeout);
        }
        InputStream body;
        try {
            body = message.openStream();
        } catch (IOException e) {
            return new MxDelivOutcome.NotAvailable("cannot read the queued message: " + e.getClass().getSimpleName());
        }
        try (body) {
            return post(host, verify, sender, recipients, new StreamedMessage(body, message.size()), timeout);
        } catch (IOException closing) {
            return new MxDelivOutcome.NotAvailable("cannot read the queued message: " + closing.getClass().getSimpleName());
        }
    }

    /** A message body of known length read from a stream, so Jetty sends a Content-Length. */
    private static final class StreamedMessage extends InputStreamRequestContent {
        private final long length;

        StreamedMessage(InputStream in, long length) {
            super("message/rfc822", in, 64 * 1024);
            this.length = length;
        }

        @Override
        public long getLength() {
            return length;
        }
    }

    private MxDelivOutcome post(String host, boolean verify, String sender, List<String> recipients,
            Request.Content content, Duration timeout) throws InterruptedException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Request request = (verify ? verified() : unverified()).newRequest(bare, port)
                .scheme("https")
                .path("/mxdeliv")
                .method(HttpMethod.POST)
                .timeout(Math.max(1, Math.min(timeout.toMillis(), requestTimeout.toMillis())), TimeUnit.MILLISECONDS)
                .body(content);
        try {
            request.headers(h -> {
                if (!sender.isEmpty()) {
                    h.add("X-MAIL-FROM", sender);
                }
                for (String recipient : recipients) {
                    h.add("X-MAIL-TO", recipient);
                }
            });
        } catch (IllegalArgumentException e) {
            // e.g. a header value with a character HTTP does not allow
            return new MxDelivOutcome.NotAvailable("request refused by the HTTP client: " + e.getMessage());
        }
        ContentResponse response;
        try {
            response = request.send();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new MxDelivOutcome.NotAvailable(cause.getClass().getSimpleName());
        } catch (TimeoutException e) {
            return new MxDelivOutcome.NotAvailable("timeout");
        }
        return classify(response.getStatus(), response.getContentAsString(), recipients);
    }

    @Override
    public void close() {
        List<HttpClient> made = new java.util.ArrayList<>();
        synchronized (this) {
            closed = true;
            if (verified != null) {
                made.add(verified);
            }
            if (unverified != null) {
                made.add(unverified);
            }
        }
        for (HttpClient c : made) {
            try {
                c.stop();
            } catch (Exception e) {
                // stopping: nothing left to do for a client that fails to stop
            }
        }
    }

    /** The DLV-2 outcome of a response; pure, so each row of the table is testable alone. */
    static MxDelivOutcome classify(int status, String body, List<String> recipients) {
        if (status >= 200 && status < 300) {
            return new MxDelivOutcome.Delivered();
        }
        String line = firstLine(body);
        boolean smtpLine = SMTP_LINE.matcher(line).matches();
        if (status == 400 && smtpLine && line.charAt(0) == '5') {
            return new MxDelivOutcome.Refused(line, namedRecipient(line, recipients));
        }
        if (status == 400 && smtpLine && line.charAt(0) == '4') {
            return new MxDelivOutcome.Temporary(line);
        }
        if (status == 503) {
            return new MxDelivOutcome.Temporary(smtpLine ? line : "503 from /mxdeliv");
        }
        return new MxDelivOutcome.NotAvailable("HTTP " + status);
    }

    private static String firstLine(String body) {
        String b = body == null ? "" : body.strip();
        int end = b.indexOf('\n');
        String line = end < 0 ? b : b.substring(0, end);
        return line.strip();
    }

    /** The recipient an SMTP line names, preferring the bracketed form {@code <a@b>}. */
    private static String namedRecipient(String line, List<String> recipients) {
        String lower = line.toLowerCase(Locale.ROOT);
        for (String r : recipients) {
            if (lower.contains("<" + r.toLowerCase(Locale.ROOT) + ">")) {
                return r;
            }
        }
        for (String r : recipients) {
            if (lower.contains(r.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
