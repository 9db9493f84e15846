package chatmail.delivery;

import chatmail.config.Config;
import chatmail.metrics.Metrics;
import chatmail.metrics.Refusal;
import chatmail.mime.HeaderSection;
import chatmail.mime.ParseLimitException;
import chatmail.policy.EncryptionClassifier;
import chatmail.policy.Replies;
import chatmail.policy.Reply;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * What both directions share: the spool a body arrives into (SEC-1), the size and recipient
 * limits (SMTP-4), the one parse of an arrived message (SEC-4) and the counting of refusals
 * (OPS-3). Each rule exists here once; the protocol sessions only adapt their wire to it.
 */
public abstract sealed class MessagePipeline permits SubmissionPipeline, InboundPipeline {

    /** SMTP-4: at most this many recipients per message. */
    public static final int MAX_RECIPIENTS = 1000;

    protected final Config config;
    protected final BodySpool spool;
    protected final Metrics metrics;
    protected final EncryptionClassifier classifier = new EncryptionClassifier();

    /** {@link #lastBodyStarted()} before any body. */
    public static final long NEVER = Long.MIN_VALUE;

    private volatile long lastBodyStarted = NEVER;

    MessagePipeline(Config config, BodySpool spool, Metrics metrics) {
        this.config = config;
        this.spool = spool;
        this.metrics = metrics;
    }

    /** A PGP/MIME message as Delta Chat sends one, with made-up packets: the shape is what counts. */
    private static final String WARM_UP_MESSAGE = String.join("\r\n",
            "From: <warm-up@warm-up.invalid>", "To: <warm-up@warm-up.invalid>", "Subject: [...]",
            "Message-ID: <warm-up@warm-up.invalid>", "MIME-Version: 1.0",
            "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"w\"", "",
            "--w", "Content-Type: application/pgp-encrypted", "", "Version: 1", "",
            "--w", "Content-Type: application/octet-stream; name=\"encrypted.asc\"", "",
            "-----BEGIN PGP MESSAGE-----", "", "wV4DAAAAAAAAAAASAQdAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "0kQBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "=AAAA",
            "-----END PGP MESSAGE-----", "", "--w--", "");

    /**
     * Parses and classifies a small message once, so the first real one after a start does not
     * wait for the MIME walker and classifier to be loaded (some 200 ms on a busy machine).
     */
    public void warmUp() {
        try {
            ParsedMessage.parse(MessageBody.of(
                    WARM_UP_MESSAGE.getBytes(StandardCharsets.US_ASCII)), classifier);
        } catch (IOException | ParseLimitException | RuntimeException e) {
            // only the warm-up failed; the first message does the work instead
        }
    }

    /**
     * A spool for the next message's body: {@code max_message_size} bytes at most are kept, and
     * beyond 64 KiB they go to a file as they arrive. The pipeline's {@code accept} closes it.
     */
    public SpoolWriter newBody() {
        lastBodyStarted = System.nanoTime();
        return spool.newWriter(config.maxMessageSize());
    }

    /**
     * When the latest message body began to arrive ({@link System#nanoTime()}), {@link #NEVER}
     * before the first: the warm-up steps aside while real messages come ({@code WarmUp}).
     */
    public long lastBodyStarted() {
        return lastBodyStarted;
    }

    /** A size the client announced before sending (SMTP {@code SIZE=}, HTTP Content-Length): refused when too large. */
    public Reply checkDeclaredSize(OptionalLong declared) {
        if (declared.isPresent() && declared.getAsLong() > config.maxMessageSize()) {
            return refuse(Refusal.TOO_LARGE, Replies.TOO_LARGE);
        }
        return null;
    }

    /** The reply to one recipient more than {@link #MAX_RECIPIENTS}. */
    public Reply tooManyRecipients() {
        return refuse(Refusal.TOO_MANY_RECIPIENTS, Replies.TOO_MANY_RECIPIENTS);
    }

    /** SMTP-12: a bare CR or LF ended the transaction; nothing of it is stored. */
    public Reply smuggling() {
        return refuse(Refusal.SMUGGLING, Replies.BARE_LINE_ENDING);
    }

    /** Counts a refusal where it is decided, once per message (or per refused recipient), and returns its reply. */
    protected Reply refuse(Refusal reason, Reply reply) {
        metrics.messageRefused(reason);
        return reply;
    }

    /** The label of a DKIM refusal (SMTP-8). */
    protected static Refusal dkimRefusal(Reply reply) {
        if (reply.equals(Replies.NO_DKIM_SIGNATURE)) {
            return Refusal.NO_DKIM;
        }
        return reply.equals(Replies.DNS_TEMPORARY_FAILURE) ? Refusal.TEMP_DNS : Refusal.DKIM_INVALID;
    }

    /**
     * The message with its header section rewritten by {@code cleanup} and its body streamed
     * through unchanged, into a new spooled body (header cleanup never holds the body).
     */
    protected SpooledBody rewriteHeader(MessageBody message, HeaderSection header, HeaderRewrite cleanup)
            throws IOException {
        try (SpoolWriter out = spool.newWriter(Long.MAX_VALUE, message.size()); InputStream in = message.openStream()) {
            in.skipNBytes(header.length());
            cleanup.write(header, in, out);
            return out.finish();
        }
    }

    /** Header cleanup of one direction (SMTP-6 or SMTP-10). */
    @FunctionalInterface
    protected interface HeaderRewrite {
        void write(HeaderSection header, InputStream body, java.io.OutputStream out) throws IOException;
    }
}
