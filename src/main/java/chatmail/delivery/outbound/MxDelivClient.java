package chatmail.delivery.outbound;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTPS path between chatmail relays (DLV-2): {@code POST https://<mx>:<port>/mxdeliv} with
 * {@code X-MAIL-FROM} (absent for the null sender), one {@code X-MAIL-TO} per recipient and the
 * raw message as body. java.net.http with the relay's outbound SSL context: certificates are
 * verified, host names too, except for the insecure client used for {@code _} domains and IP
 * literals.
 *
 * <p>The MX host name is resolved by the JDK (java.net.http has no per-client resolver), while
 * the SMTP path uses {@code dns_resolver}; on a normal machine both are the system's resolver.
 */
public final class MxDelivClient {

    private static final Pattern SMTP_LINE = Pattern.compile("^([245])\\d\\d([ -].*)?$");

    private final HttpClient verified;
    private final HttpClient unverified;
    private final int port;
    private final Duration requestTimeout;

    public MxDelivClient(SSLContext verifiedContext, SSLContext unverifiedContext, int port,
            Duration connectTimeout, Duration requestTimeout) {
        this.verified = client(verifiedContext, connectTimeout);
        this.unverified = client(unverifiedContext, connectTimeout);
        this.port = port;
        this.requestTimeout = requestTimeout;
    }

    private static HttpClient client(SSLContext context, Duration connectTimeout) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return HttpClient.newBuilder()
                .sslContext(context)
                .sslParameters(parameters)
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param host the MX host name or IP address
     * @param verify false only for {@code _} domains and IP literals
     * @param sender the envelope sender; empty for the null sender
     */
    public MxDelivOutcome post(String host, boolean verify, String sender, List<String> recipients, byte[] message)
            throws InterruptedException {
        URI uri;
        try {
            String authority = host.contains(":") ? "[" + host + "]" : host;
            uri = URI.create("https://" + authority + ":" + port + "/mxdeliv");
        } catch (IllegalArgumentException e) {
            return new MxDelivOutcome.NotAvailable("not a host name usable in a URL");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "message/rfc822")
                .POST(HttpRequest.BodyPublishers.ofByteArray(message));
        if (!sender.isEmpty()) {
            request.header("X-MAIL-FROM", sender);
        }
        for (String recipient : recipients) {
            request.header("X-MAIL-TO", recipient);
        }
        HttpResponse<String> response;
        try {
            response = (verify ? verified : unverified).send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new MxDelivOutcome.NotAvailable(e.getClass().getSimpleName());
        } catch (IllegalArgumentException e) {
            // e.g. a header value with a character HTTP does not allow
            return new MxDelivOutcome.NotAvailable("request refused by the HTTP client: " + e.getMessage());
        }
        return classify(response.statusCode(), response.body(), recipients);
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
