package chatmail.delivery.inbound;

import chatmail.delivery.InboundPipeline;
import chatmail.delivery.MessagePipeline;
import chatmail.delivery.RecipientCheck;
import chatmail.metrics.DeliveryPath;
import chatmail.policy.Replies;
import chatmail.policy.Reply;
import chatmail.spool.SpoolWriter;
import chatmail.store.Account;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The receiving side of {@code POST /mxdeliv} (DLV-4), independent of the HTTP server that
 * mounts it: it adapts HTTP to the {@link InboundPipeline}, which checks exactly as on port 25.
 * The recipients ({@code X-MAIL-TO}) and the announced length are judged before a byte of the
 * body is read (SEC-1); the body then streams into the spool and reading stops as soon as it is
 * too large. All recipients accepted → {@code 200 "250 2.0.0 Ok"}; otherwise nothing is stored
 * and the answer is {@code 400} with the first permanent SMTP line (naming the recipient when
 * one is the reason), {@code 503} with the line for a temporary problem, {@code 413} when too
 * large, {@code 405} for other methods.
 */
public final class MxDelivReceiver {

    /** @param body the SMTP line (or a short text for 405), without line break */
    public record Response(int status, String body) {}

    /** What the request line and headers decide, before the body. */
    public sealed interface Start {}

    /** The answer is known already; the body need not be read. */
    public record Answered(Response response) implements Start {}

    /** Every recipient is local and has room: read the body. */
    public record ReadBody(List<Account> recipients) implements Start {}

    private static final int COPY_BUFFER = 16 * 1024;

    private final InboundPipeline pipeline;

    public MxDelivReceiver(InboundPipeline pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * @param headers request headers, names in any case, each with all its values
     * @param declaredLength the Content-Length, when the request has one
     */
    public Start start(String method, Map<String, List<String>> headers, OptionalLong declaredLength) {
        if (!"POST".equals(method)) {
            return new Answered(new Response(405, "Method Not Allowed"));
        }
        List<String> addresses = values(headers, "X-MAIL-TO");
        if (addresses.isEmpty()) {
            return new Answered(permanent(new Reply(554, "5.5.1", "No valid recipients")));
        }
        if (addresses.size() > MessagePipeline.MAX_RECIPIENTS) {
            return new Answered(answer(pipeline.tooManyRecipients()));
        }
        List<Account> accounts = new ArrayList<>();
        for (String address : addresses) {
            switch (pipeline.recipient(address)) {
                case RecipientCheck.Local l -> accounts.add(l.account());
                case RecipientCheck.Refused r -> {
                    return new Answered(answer(r.reply().withDetail("<" + address + ">")));
                }
                case RecipientCheck.Remote r -> throw new IllegalStateException("inbound has no remote recipients");
                case RecipientCheck.Bounced b -> throw new IllegalStateException("inbound bounces nothing");
            }
        }
        Reply size = pipeline.checkDeclaredSize(declaredLength);
        if (size != null) {
            return new Answered(answer(size));
        }
        return new ReadBody(List.copyOf(accounts));
    }

    /** Streams the body into the spool and hands it to the pipeline. */
    public Response finish(List<Account> recipients, InputStream body) throws IOException {
        SpoolWriter spooled = pipeline.newBody();
        try {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            // Counting stops at the limit: a sender that goes on gets its 413 without being read further.
            while (!spooled.tooLarge() && (n = body.read(buffer)) >= 0) {
                spooled.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            spooled.close();
            throw e;
        }
        return answer(pipeline.accept(DeliveryPath.MXDELIV, recipients, spooled));
    }

    /** The whole exchange for a body in memory (tests, tools). */
    public Response handle(String method, Map<String, List<String>> headers, byte[] body) {
        return switch (start(method, headers, OptionalLong.of(body.length))) {
            case Answered a -> a.response();
            case ReadBody r -> {
                try {
                    yield finish(r.recipients(), new ByteArrayInputStream(body));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private static Response answer(Reply reply) {
        if (reply.equals(Replies.TOO_LARGE)) {
            return new Response(413, reply.line());
        }
        if (reply.equals(Replies.OK)) {
            return new Response(200, reply.line());
        }
        return reply.isPermanent() ? permanent(reply) : new Response(503, reply.line());
    }

    private static Response permanent(Reply reply) {
        return new Response(400, reply.line());
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        List<String> values = new ArrayList<>();
        for (var entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                for (String v : entry.getValue()) {
                    // A proxy may have joined repeated headers with commas.
                    for (String part : v.split(",")) {
                        if (!part.isBlank()) {
                            values.add(part.strip());
                        }
                    }
                    if (values.size() > MessagePipeline.MAX_RECIPIENTS) {
                        return values;
                    }
                }
            }
        }
        return values;
    }
}
