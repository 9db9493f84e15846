package chatmail.delivery;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.metrics.DeliveryPath;
import chatmail.metrics.Metrics;
import chatmail.metrics.Refusal;
import chatmail.mime.HeaderSection;
import chatmail.mime.ParseLimitException;
import chatmail.mime.ParseLimits;
import chatmail.policy.Direction;
import chatmail.policy.EncryptionPolicy;
import chatmail.policy.HeaderCleanup;
import chatmail.policy.RateLimiter;
import chatmail.policy.Replies;
import chatmail.policy.Reply;
import chatmail.policy.SenderPolicy;
import chatmail.policy.Verdict;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import chatmail.store.Account;
import chatmail.store.Committed;
import chatmail.store.MessageBody;
import chatmail.store.QueuedCopy;
import chatmail.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail from the relay's own users (465, 587 and port 443's ALPN {@code smtp}): the sender may
 * send as this address and not faster than the rate limit (SMTP-2, SMTP-3); the body arrives in
 * the spool and is parsed once within the SEC-4 caps; the From header (SMTP-2) and the encryption
 * policy (SMTP-5) are checked; the headers are cleaned (SMTP-6); the copy that leaves is
 * DKIM-signed; and local copies, the bounce for local recipients that cannot get it (SMTP-11) and
 * the queue entry for remote ones are committed together (SMTP-13).
 */
public final class SubmissionPipeline extends MessagePipeline {

    private static final Logger log = LoggerFactory.getLogger(SubmissionPipeline.class);

    private final Clock clock;
    private final AddressRules rules;
    private final LocalDelivery localDelivery;
    private final RateLimiter rateLimiter;
    private final DkimSigner signer;
    private final BounceBuilder bounces;
    private final OutboundDelivery outbound;

    /**
     * @param outbound claims the queue entries a commit writes and takes them over after it
     */
    public SubmissionPipeline(Config config, Clock clock, BodySpool spool, Metrics metrics, LocalDelivery localDelivery,
            RateLimiter rateLimiter, DkimSigner signer, BounceBuilder bounces, OutboundDelivery outbound) {
        super(config, spool, metrics);
        this.clock = clock;
        this.rules = new AddressRules(config);
        this.localDelivery = localDelivery;
        this.rateLimiter = rateLimiter;
        this.signer = signer;
        this.bounces = bounces;
        this.outbound = outbound;
    }

    /**
     * MAIL FROM: the announced size, the envelope sender against the login (SMTP-2), the send
     * rate (SMTP-3, counted only when the rest passes). Null when the transaction may start.
     */
    public Reply mailFrom(Account login, String envelopeSender, OptionalLong declaredSize) {
        Reply size = checkDeclaredSize(declaredSize);
        if (size != null) {
            return size;
        }
        Verdict owned = SenderPolicy.checkEnvelopeSender(login.address(), envelopeSender);
        if (owned.rejection().isPresent()) {
            return refuse(Refusal.SENDER_MISMATCH, owned.rejection().get());
        }
        Verdict rate = rateLimiter.check(login.address());
        if (rate.rejection().isPresent()) {
            return refuse(Refusal.RATE_LIMIT, rate.rejection().get());
        }
        return null;
    }

    /**
     * One recipient. Every valid address is accepted (SMTP-4): a local one that cannot get the
     * message now is bounced after DATA, so one bad address never blocks a group message.
     */
    public RecipientCheck recipient(String address) {
        if (!rules.isLocal(address)) {
            return new RecipientCheck.Remote(address);
        }
        RecipientStatus status;
        try {
            status = localDelivery.check(address);
        } catch (StoreException e) {
            log.error("recipient check failed", e);
            return new RecipientCheck.Refused(refuse(Refusal.TEMP_LOCAL, Replies.LOCAL_FAILURE));
        }
        return switch (status) {
            case RecipientStatus.Deliverable d -> new RecipientCheck.Local(d.account());
            case RecipientStatus.UnknownUser u -> new RecipientCheck.Bounced(new FailedRecipient(address, Replies.NO_SUCH_USER.line()));
            case RecipientStatus.MailboxFull f -> new RecipientCheck.Bounced(new FailedRecipient(address, Replies.MAILBOX_FULL.line()));
        };
    }

    /** Checks the message and commits it; closes its body. Returns {@code 250} once it is durable. */
    public Reply accept(Submission submission) {
        try (SpoolWriter body = submission.body()) {
            if (body.tooLarge()) {
                return refuse(Refusal.TOO_LARGE, Replies.TOO_LARGE);
            }
            try (SpooledBody message = body.finish()) {
                return check(submission, message);
            }
        } catch (StoreException | IOException | java.io.UncheckedIOException e) {
            log.error("submission failed, answering 451", e);
            return refuse(Refusal.TEMP_LOCAL, Replies.LOCAL_FAILURE);
        }
    }

    private Reply check(Submission s, SpooledBody message) throws IOException {
        ParsedMessage parsed;
        try {
            parsed = ParsedMessage.parse(message, classifier);
        } catch (ParseLimitException e) {
            return refuse(Refusal.TOO_LARGE, ParsedMessage.refusal(e));
        }
        Verdict from = SenderPolicy.checkFromHeader(s.envelopeSender(), parsed.header().values("From"));
        if (from.rejection().isPresent()) {
            return refuse(Refusal.SENDER_MISMATCH, from.rejection().get());
        }
        Verdict encrypted = EncryptionPolicy.verdict(parsed.kind(), Direction.OUTGOING_OR_LOCAL);
        if (encrypted.rejection().isPresent()) {
            return refuse(Refusal.NOT_ENCRYPTED, encrypted.rejection().get());
        }
        try (SpooledBody cleaned = rewriteHeader(message, parsed.header(), HeaderCleanup::outgoing)) {
            HeaderSection header = headerOf(cleaned);
            commit(s, cleaned, header);
        }
        metrics.messageDelivered(DeliveryPath.SUBMISSION);
        return Replies.OK;
    }

    /**
     * Only the copy that leaves is signed: nobody verifies a signature on a copy that never
     * crosses a network, and the RSA operation was three quarters of the relay's CPU at
     * saturation (docs/benchmarks.md). It is made beside the commit, not before it: the copy is
     * queued unsigned and its attempt, started right after the commit, waits for the signature.
     * Signing first put its 1.5-2 ms of RSA before the commit's fsync on every message's way to
     * another relay (docs/benchmarks.md, "Federation"). A crash before the attempt leaves an
     * unsigned copy in the queue, which the next attempt signs.
     */
    private void commit(Submission s, SpooledBody cleaned, HeaderSection header) throws IOException {
        Optional<QueuedCopy> queued = Optional.empty();
        CompletableFuture<byte[]> signature = null;
        if (!s.remoteRecipients().isEmpty()) {
            if (signer.signs()) {
                signature = signAside(header, cleaned);
            }
            // The queue entries are claimed for this node in the submission's one commit, and the
            // commit hands back their ids, so they go to their destinations right after it (SEC-5)
            // without a look at the queue. Claiming afterwards, in a second write, would cost
            // another fsync per message and leave a window in which the loop could take them
            // first (delivered once all the same, but after its poll, not at once).
            queued = Optional.of(new QueuedCopy(s.envelopeSender(), s.remoteRecipients(), new byte[0], cleaned,
                    clock.instant(), outbound.claimUntil(), signature != null));
        }
        Optional<MessageBody> bounce = Optional.empty();
        if (!s.failedRecipients().isEmpty()) {
            bounce = Optional.of(MessageBody.of(signer.sign(
                    bounces.build(header, s.submitter().address(), s.failedRecipients()))));
        }
        Committed committed = localDelivery.commitSubmitted(cleaned, s.localRecipients(), s.submitter(), bounce, queued);
        if (queued.isPresent()) {
            outbound.committed(queued.get(), committed.queued().orElseThrow(), signature);
        }
    }

    /**
     * The message's DKIM-Signature field, made on a thread of its own while the caller commits.
     * The message is opened here, before the commit: the store may rename a spooled file into its
     * own place, and the open stream still reads it.
     */
    private CompletableFuture<byte[]> signAside(HeaderSection header, MessageBody message) throws IOException {
        InputStream in = message.openStream();
        CompletableFuture<byte[]> field = new CompletableFuture<>();
        try {
            Thread.ofVirtual().name("dkim-sign").start(() -> {
                try {
                    field.complete(signer.signatureField(header, in));
                } catch (IOException | RuntimeException e) {
                    field.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        return field;
    }

    private static HeaderSection headerOf(MessageBody message) throws IOException {
        try (InputStream in = message.openStream()) {
            return HeaderSection.read(in, ParseLimits.STANDARD);
        } catch (ParseLimitException impossible) {
            // The cleaned header is a part of one that passed the same limits.
            throw new IllegalStateException(impossible);
        }
    }
}
