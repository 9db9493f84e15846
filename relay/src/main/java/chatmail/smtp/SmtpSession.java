package chatmail.smtp;

import chatmail.account.AddressRules;
import chatmail.delivery.FailedRecipient;
import chatmail.delivery.RecipientStatus;
import chatmail.metrics.DeliveryLatency;
import chatmail.metrics.DeliveryPath;
import chatmail.metrics.Refusal;
import chatmail.policy.RefusalReasons;
import chatmail.metrics.LoginService;
import chatmail.net.Transport;
import chatmail.policy.Direction;
import chatmail.policy.HeaderCleanup;
import chatmail.policy.Reply;
import chatmail.policy.SenderPolicy;
import chatmail.policy.Verdict;
import chatmail.smtp.protocol.DataReader;
import chatmail.smtp.protocol.SaslDecoder;
import chatmail.smtp.protocol.SmtpAddress;
import chatmail.smtp.protocol.SmtpCommand;
import chatmail.smtp.protocol.SmtpCommandParser;
import chatmail.smtp.protocol.SmtpLine;
import chatmail.smtp.protocol.SmtpLineReader;
import chatmail.smtp.protocol.SmtpReplies;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.smtp.protocol.SmtpReplyWriter;
import chatmail.store.Account;
import chatmail.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection's state machine: greeting, EHLO, STARTTLS, AUTH, and the mail
 * transaction with the chatmail rules. Wire format is {@code smtp.protocol}'s job; the rules
 * are {@code policy}'s; storing is {@code delivery}'s. Replies are queued and written in one
 * burst when the client has nothing more pipelined (SMTP-1).
 */
final class SmtpSession {

    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

    static final int MAX_RECIPIENTS = 1000;
    private static final int MAX_ERRORS = 20;
    /** AUTH lines carry base64 credentials, longer than RFC 5321's 512 for commands. */
    private static final int MAX_LINE = 4096;

    private static final SmtpReply STARTTLS_READY = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    private static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");
    private static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    private static final SmtpReply START_DATA = SmtpReply.plain(354, "End data with <CR><LF>.<CR><LF>");
    private static final SmtpReply SEND_HELO_FIRST = SmtpReply.of(503, "5.5.1", "Send HELO/EHLO first");
    private static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Nested MAIL command");
    private static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Need MAIL command");
    private static final SmtpReply NEED_RCPT = SmtpReply.of(503, "5.5.1", "Need RCPT command");
    private static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Already authenticated");
    private static final SmtpReply TLS_ALREADY_ACTIVE = SmtpReply.of(503, "5.5.1", "TLS already active");
    private static final SmtpReply NO_TLS_HERE = SmtpReply.of(502, "5.5.1", "STARTTLS not available");
    private static final SmtpReply UNSUPPORTED_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication mechanism");
    private static final SmtpReply AUTH_ONLY_BEFORE_MAIL = SmtpReply.of(503, "5.5.1", "AUTH not allowed during a mail transaction");
    private static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
    private static final SmtpReply TIMEOUT = SmtpReply.of(421, "4.4.2", "Timeout exceeded, closing connection");
    private static final SmtpReply NEED_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Address needs SMTPUTF8");
    private static final SmtpReply HELP = SmtpReply.of(214, "2.0.0", "See RFC 5321");

    private final SmtpServices services;
    private final SmtpPort port;
    private final Transport transport;
    private final AddressRules addressRules;

    private SmtpLineReader reader;
    private SmtpReplyWriter writer;
    private boolean greeted;
    private Account authenticated;
    private int errors;

    // The mail transaction.
    private boolean inTransaction;
    private Optional<SmtpAddress> sender = Optional.empty();
    private boolean smtpUtf8;
    private final List<Account> localRecipients = new ArrayList<>();
    private final List<FailedRecipient> failedRecipients = new ArrayList<>();
    private final List<String> remoteRecipients = new ArrayList<>();
    private int recipientCount;

    SmtpSession(SmtpServices services, SmtpPort port, Transport transport) {
        this.services = services;
        this.port = port;
        this.transport = transport;
        this.addressRules = services.accounts().rules();
    }

    void run() throws IOException {
        transport.setReadTimeout(services.config().timeouts().smtpCommand());
        reader = new SmtpLineReader(transport.in(), MAX_LINE);
        writer = new SmtpReplyWriter(transport.out());
        writer.sendNow(SmtpReply.plain(220, services.config().mailDomain() + " ESMTP chatmail"));
        try {
            while (true) {
                // Replies wait while the client has more pipelined; before blocking, they go out
                // together in one write (SMTP-1).
                if (!reader.hasBufferedInput()) {
                    writer.flush();
                }
                SmtpLine line = reader.readLine();
                boolean goOn = switch (line) {
                    case SmtpLine.Complete complete -> handle(SmtpCommandParser.parse(complete.bytes()));
                    case SmtpLine.TooLong t -> reply(SmtpReplies.LINE_TOO_LONG);
                    case SmtpLine.BareLineEnding b -> {
                        writer.send(SmtpReplies.BARE_LINE_ENDING);
                        yield false;
                    }
                    case SmtpLine.EndOfInput e -> false;
                };
                if (!goOn) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            writer.send(TIMEOUT);
        } finally {
            try {
                writer.flush();
            } catch (IOException ignored) {
                // the client is gone
            }
        }
    }

    /** Queues a reply; false when the connection must close (too many errors). */
    private boolean reply(SmtpReply r) throws IOException {
        RefusalReasons.of(r.code(), r.enhancedCode(), r.text()).ifPresent(services.metrics()::messageRefused);
        writer.send(r);
        if (r.code() >= 500 && ++errors >= MAX_ERRORS) {
            writer.sendNow(TOO_MANY_ERRORS);
            return false;
        }
        return true;
    }

    private boolean reply(Reply r) throws IOException {
        return reply(SmtpReply.of(r.code(), r.enhancedCode(), r.text()));
    }

    /** Handles one command; false when the session ends. */
    private boolean handle(SmtpCommand command) throws IOException {
        return switch (command) {
            case SmtpCommand.Rejected rejected -> reply(rejected.reply());
            case SmtpCommand.Ehlo ehlo -> {
                greeted = true;
                resetTransaction();
                yield reply(ehloReply());
            }
            case SmtpCommand.Helo helo -> {
                greeted = true;
                resetTransaction();
                yield reply(SmtpReply.plain(250, services.config().mailDomain()));
            }
            case SmtpCommand.StartTls s -> startTls();
            case SmtpCommand.Auth auth -> auth(auth);
            case SmtpCommand.Mail mail -> mail(mail);
            case SmtpCommand.Rcpt rcpt -> rcpt(rcpt);
            case SmtpCommand.Data data -> data();
            case SmtpCommand.Rset rset -> {
                resetTransaction();
                yield reply(SmtpReplies.OK);
            }
            case SmtpCommand.Noop noop -> reply(SmtpReplies.OK);
            case SmtpCommand.Vrfy vrfy -> reply(SmtpReplies.VRFY);
            case SmtpCommand.Help help -> reply(HELP);
            case SmtpCommand.Quit quit -> {
                writer.sendNow(BYE);
                yield false;
            }
        };
    }

    private SmtpReply ehloReply() {
        List<String> lines = new ArrayList<>();
        lines.add(services.config().mailDomain());
        lines.add("PIPELINING");
        lines.add("SIZE " + services.config().maxMessageSize());
        if (!transport.isTls() && !port.implicitTls()) {
            lines.add("STARTTLS");
        }
        if (port.isSubmission() && transport.isTls()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        return SmtpReply.multiline(250, null, lines);
    }

    private boolean startTls() throws IOException {
        if (transport.isTls()) {
            return reply(TLS_ALREADY_ACTIVE);
        }
        writer.sendNow(STARTTLS_READY);
        // Whatever the client pipelined behind STARTTLS was sent in the clear and is dropped.
        int dropped = reader.discardBuffered();
        if (dropped > 0) {
            log.debug("dropped {} bytes sent after STARTTLS before the handshake", dropped);
        }
        transport.startTls();
        reader.switchTo(transport.in());
        writer.switchTo(transport.out());
        greeted = false;
        authenticated = null;
        resetTransaction();
        return true;
    }

    private boolean auth(SmtpCommand.Auth auth) throws IOException {
        if (!port.isSubmission()) {
            return reply(SmtpReplies.AUTH_NOT_ON_THIS_PORT);
        }
        if (!greeted) {
            return reply(SEND_HELO_FIRST);
        }
        if (!transport.isTls()) {
            return reply(SmtpReplies.ENCRYPTION_REQUIRED_FOR_AUTH);
        }
        if (authenticated != null) {
            return reply(ALREADY_AUTHENTICATED);
        }
        if (inTransaction) {
            return reply(AUTH_ONLY_BEFORE_MAIL);
        }
        String user;
        String password;
        switch (auth.mechanism()) {
            case "PLAIN" -> {
                String response = auth.initialResponse().isPresent()
                        ? auth.initialResponse().get()
                        : challenge(SmtpReplies.AUTH_PLAIN_CONTINUE);
                if (response == null) return false;
                switch (SaslDecoder.decodePlain(response)) {
                    case SaslDecoder.PlainCredentials c -> {
                        if (!c.authzid().isEmpty() && !c.authzid().equals(c.authcid())) {
                            return loginFailed();
                        }
                        user = c.authcid();
                        password = c.password();
                    }
                    case SaslDecoder.Failure f -> {
                        return reply(f.reply());
                    }
                    default -> {
                        return reply(SmtpReplies.AUTH_FAILED);
                    }
                }
            }
            case "LOGIN" -> {
                String u = auth.initialResponse().isPresent()
                        ? auth.initialResponse().get()
                        : challenge(SmtpReplies.AUTH_LOGIN_USERNAME);
                if (u == null) return false;
                if (!(SaslDecoder.decodeLogin(u) instanceof SaslDecoder.LoginValue(String decodedUser))) {
                    return reply(failureOf(SaslDecoder.decodeLogin(u)));
                }
                String p = challenge(SmtpReplies.AUTH_LOGIN_PASSWORD);
                if (p == null) return false;
                if (!(SaslDecoder.decodeLogin(p) instanceof SaslDecoder.LoginValue(String decodedPassword))) {
                    return reply(failureOf(SaslDecoder.decodeLogin(p)));
                }
                user = decodedUser;
                password = decodedPassword;
            }
            default -> {
                return reply(UNSUPPORTED_MECHANISM);
            }
        }
        try {
            services.loginThrottle().pause(transport.peer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Optional<Account> account;
        try {
            account = services.accounts().login(LoginService.SMTP, user, password);
        } catch (StoreException e) {
            // Not the client's fault: a 535 would make Delta Chat ask the user for a new password.
            log.error("login check failed", e);
            return reply(SmtpReplies.LOCAL_TEMPFAIL);
        }
        if (account.isEmpty()) {
            return loginFailed();
        }
        services.loginThrottle().succeeded(transport.peer());
        authenticated = account.get();
        return reply(AUTH_OK);
    }

    private static SmtpReply failureOf(SaslDecoder.Result r) {
        return r instanceof SaslDecoder.Failure(SmtpReply reply) ? reply : SmtpReplies.AUTH_FAILED;
    }

    private boolean loginFailed() throws IOException {
        services.loginThrottle().failed(transport.peer());
        return reply(SmtpReplies.AUTH_FAILED);
    }

    /** Sends a SASL challenge and reads the client's answer line; null when the connection ends. */
    private String challenge(SmtpReply prompt) throws IOException {
        writer.sendNow(prompt);
        SmtpLine line = reader.readLine();
        if (line instanceof SmtpLine.Complete c) {
            return c.text();
        }
        if (line instanceof SmtpLine.BareLineEnding) {
            writer.sendNow(SmtpReplies.BARE_LINE_ENDING);
        }
        return null;
    }

    private boolean mail(SmtpCommand.Mail mail) throws IOException {
        if (!greeted) {
            return reply(SEND_HELO_FIRST);
        }
        if (!transport.isTls()) {
            return reply(SmtpReplies.STARTTLS_REQUIRED);
        }
        if (port.isSubmission() && authenticated == null) {
            return reply(SmtpReplies.AUTH_REQUIRED);
        }
        if (inTransaction) {
            return reply(NESTED_MAIL);
        }
        if (mail.parameters().size().isPresent()
                && mail.parameters().size().getAsLong() > services.config().maxMessageSize()) {
            return reply(SmtpReplies.TOO_LARGE);
        }
        if (mail.sender().isPresent() && !mail.sender().get().isAscii() && !mail.parameters().smtpUtf8()) {
            return reply(NEED_SMTPUTF8);
        }
        if (port.isSubmission()) {
            String envelope = mail.sender().map(SmtpAddress::address).orElse("");
            Verdict owned = SenderPolicy.checkEnvelopeSender(authenticated.address(), envelope);
            if (owned.rejection().isPresent()) {
                return reply(owned.rejection().get());
            }
            Verdict rate = services.rateLimiter().check(authenticated.address());
            if (rate.rejection().isPresent()) {
                return reply(rate.rejection().get());
            }
        }
        inTransaction = true;
        sender = mail.sender();
        smtpUtf8 = mail.parameters().smtpUtf8();
        return reply(SmtpReplies.OK);
    }

    private boolean rcpt(SmtpCommand.Rcpt rcpt) throws IOException {
        if (!inTransaction) {
            return reply(NEED_MAIL);
        }
        if (recipientCount >= MAX_RECIPIENTS) {
            return reply(SmtpReplies.TOO_MANY_RECIPIENTS);
        }
        SmtpAddress to = rcpt.recipient();
        if (!to.isAscii() && !smtpUtf8) {
            return reply(NEED_SMTPUTF8);
        }
        String address = to.address();
        boolean local = addressRules.isLocal(address);
        if (!local) {
            // No open relay: only an authenticated client may send elsewhere.
            if (!port.isSubmission()) {
                return reply(SmtpReplies.RELAY_DENIED);
            }
            remoteRecipients.add(address);
            recipientCount++;
            return reply(SmtpReplies.OK);
        }
        RecipientStatus status;
        try {
            status = services.localDelivery().check(address);
        } catch (StoreException e) {
            log.error("recipient check failed", e);
            return reply(SmtpReplies.LOCAL_TEMPFAIL);
        }
        switch (status) {
            case RecipientStatus.Deliverable d -> localRecipients.add(d.account());
            case RecipientStatus.UnknownUser u -> {
                if (!port.isSubmission()) {
                    return reply(SmtpReplies.NO_SUCH_USER);
                }
                // On submission one bad address must not block a group message: bounce it later.
                failedRecipients.add(new FailedRecipient(address, SmtpReplies.NO_SUCH_USER.toWire().trim()));
            }
            case RecipientStatus.MailboxFull f -> {
                if (!port.isSubmission()) {
                    return reply(SmtpReplies.MAILBOX_FULL);
                }
                failedRecipients.add(new FailedRecipient(address, SmtpReplies.MAILBOX_FULL.toWire().trim()));
            }
        }
        recipientCount++;
        return reply(SmtpReplies.OK);
    }

    private boolean data() throws IOException {
        if (!inTransaction) {
            return reply(NEED_MAIL);
        }
        if (recipientCount == 0) {
            return reply(NEED_RCPT);
        }
        writer.sendNow(START_DATA);
        transport.setReadTimeout(services.config().timeouts().smtpData());
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        DataReader.Result result = new DataReader(reader, services.config().maxMessageSize()).read(body);
        long endOfData = System.nanoTime();
        transport.setReadTimeout(services.config().timeouts().smtpCommand());
        switch (result.status()) {
            case BARE_LINE_ENDING -> {
                resetTransaction();
                services.metrics().messageRefused(Refusal.SMUGGLING);
                writer.sendNow(SmtpReplies.BARE_LINE_ENDING);
                return false;
            }
            case END_OF_INPUT -> {
                return false;
            }
            case TOO_LARGE -> {
                resetTransaction();
                return reply(SmtpReplies.TOO_LARGE);
            }
            case ACCEPTED -> { }
        }
        SmtpReply outcome;
        try {
            byte[] message = body.toByteArray();
            outcome = ScopedValue.where(DeliveryLatency.END_OF_DATA, endOfData)
                    .call(() -> port.isSubmission() ? acceptSubmitted(message) : acceptIncoming(message));
        } catch (StoreException e) {
            log.error("delivery failed, answering 451", e);
            outcome = SmtpReplies.LOCAL_TEMPFAIL;
        } finally {
            resetTransaction();
        }
        if (outcome.code() == 250) {
            services.metrics().messageDelivered(port.isSubmission() ? DeliveryPath.SUBMISSION : DeliveryPath.MX);
        }
        return reply(outcome);
    }

    /**
     * A message from our own user: queued DKIM-signed for other domains, stored for local users.
     * Only the copy that leaves is signed: nobody verifies a signature on a copy that never
     * crosses a network, and the RSA operation was three quarters of the relay's CPU at
     * saturation (docs/benchmarks.md). The queue entry and the local copies are two commits;
     * the queue goes first because a failure after it answers 451 and the client's retry then
     * duplicates at most remotely.
     */
    private SmtpReply acceptSubmitted(byte[] message) {
        String envelope = sender.map(SmtpAddress::address).orElse("");
        Verdict from = SenderPolicy.checkFromHeader(envelope, message);
        if (from.rejection().isPresent()) {
            return asSmtp(from.rejection().get());
        }
        Verdict enc = services.encryption().check(message, Direction.OUTGOING_OR_LOCAL);
        if (enc.rejection().isPresent()) {
            return asSmtp(enc.rejection().get());
        }
        byte[] cleaned = HeaderCleanup.outgoing(message);
        if (!remoteRecipients.isEmpty()) {
            services.outbound().enqueue(envelope, List.copyOf(remoteRecipients), services.dkimSigner().sign(cleaned));
        }
        services.localDelivery().deliverSubmitted(cleaned, localRecipients, authenticated);
        if (!failedRecipients.isEmpty()) {
            bounce(cleaned);
        }
        return SmtpReplies.OK;
    }

    /**
     * Tells the sender which recipients did not get the message (SMTP-11). The message itself is
     * already committed, so a failure here must not turn into a 4xx that makes the client send
     * it to everyone again.
     */
    private void bounce(byte[] delivered) {
        try {
            byte[] report = services.dkimSigner().sign(
                    services.bounces().build(delivered, authenticated.address(), failedRecipients));
            services.localDelivery().deliver(report, List.of(authenticated));
        } catch (StoreException e) {
            log.error("could not store a bounce for {} recipient(s)", failedRecipients.size(), e);
        }
    }

    /** A message from another server for local users: its origin (SMTP-8), then its encryption. */
    private SmtpReply acceptIncoming(byte[] message) {
        Verdict origin = services.dkimVerifier().check(message);
        if (origin.rejection().isPresent()) {
            return asSmtp(origin.rejection().get());
        }
        Verdict enc = services.encryption().check(message, Direction.INCOMING);
        if (enc.rejection().isPresent()) {
            return asSmtp(enc.rejection().get());
        }
        services.localDelivery().deliver(HeaderCleanup.incoming(message), localRecipients);
        return SmtpReplies.OK;
    }

    private static SmtpReply asSmtp(Reply r) {
        return SmtpReply.of(r.code(), r.enhancedCode(), r.text());
    }

    private void resetTransaction() {
        inTransaction = false;
        sender = Optional.empty();
        smtpUtf8 = false;
        localRecipients.clear();
        failedRecipients.clear();
        remoteRecipients.clear();
        recipientCount = 0;
    }
}
