package chatmail.smtp;

import chatmail.delivery.MessagePipeline;
import chatmail.net.LoginTimeoutException;
import chatmail.net.Transport;
import chatmail.policy.Reply;
import chatmail.smtp.protocol.SmtpCommand;
import chatmail.smtp.protocol.SmtpCommandParser;
import chatmail.smtp.protocol.SmtpLine;
import chatmail.smtp.protocol.SmtpLineReader;
import chatmail.smtp.protocol.SmtpReplies;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.smtp.protocol.SmtpReplyWriter;
import chatmail.store.Account;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection: greeting, the command loop, EHLO, STARTTLS and the commands without
 * state; AUTH is {@link AuthCommand}'s, MAIL and RCPT {@link MailTransaction}'s, DATA
 * {@link DataCommand}'s. Wire format is {@code smtp.protocol}'s job; every chatmail rule is in
 * the port's pipeline ({@code delivery}). Replies are queued and written in one burst when the
 * client has nothing more pipelined (SMTP-1).
 */
final class SmtpSession {

    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

    private static final int MAX_ERRORS = 20;
    /** AUTH lines carry base64 credentials, longer than RFC 5321's 512 for commands. */
    private static final int MAX_LINE = 4096;

    static final SmtpReply SEND_HELO_FIRST = SmtpReply.of(503, "5.5.1", "Send HELO/EHLO first");
    private static final SmtpReply STARTTLS_READY = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    private static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");
    private static final SmtpReply TLS_ALREADY_ACTIVE = SmtpReply.of(503, "5.5.1", "TLS already active");
    private static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
    private static final SmtpReply TIMEOUT = SmtpReply.of(421, "4.4.2", "Timeout exceeded, closing connection");
    // SEC-3's login_timeout: absolute from connect, to AUTH on submission and to MAIL on port 25.
    private static final SmtpReply LOGIN_TIMEOUT =
            SmtpReply.of(421, "4.7.0", "Login time limit exceeded, closing connection");
    private static final SmtpReply MAIL_TIMEOUT =
            SmtpReply.of(421, "4.7.0", "Time limit before MAIL exceeded, closing connection");
    private static final SmtpReply HELP = SmtpReply.of(214, "2.0.0", "See RFC 5321");

    private final SmtpServices services;
    private final SmtpPort port;
    private final Transport transport;
    private final MailTransaction transaction = new MailTransaction(this);

    private SmtpLineReader reader;
    private SmtpReplyWriter writer;
    private boolean greeted;
    private Account authenticated;
    private int errors;

    SmtpSession(SmtpServices services, SmtpPort port, Transport transport) {
        this.services = services;
        this.port = port;
        this.transport = transport;
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
                    awaitingClient();
                }
                SmtpLine line = reader.readLine();
                if (!commandStarts()) {
                    return;
                }
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
        } catch (LoginTimeoutException e) {
            writer.send(port.isSubmission() ? LOGIN_TIMEOUT : MAIL_TIMEOUT);
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

    /**
     * Every reply is out and the session waits for the client: a stop may close the connection
     * at once from here. DATA's body is not such a wait: a stop lets it arrive (BusyMarker).
     */
    void awaitingClient() {
        transport.busy().end();
    }

    /** The client's line is read; false when the relay is stopping and the session must end unanswered. */
    boolean commandStarts() {
        return transport.busy().begin();
    }

    /** Queues a reply; false when the connection must close (too many errors). */
    boolean reply(SmtpReply r) throws IOException {
        writer.send(r);
        if (r.code() >= 500 && ++errors >= MAX_ERRORS) {
            writer.sendNow(TOO_MANY_ERRORS);
            return false;
        }
        return true;
    }

    boolean reply(Reply r) throws IOException {
        return reply(SmtpReply.of(r));
    }

    /** Handles one command; false when the session ends. */
    private boolean handle(SmtpCommand command) throws IOException {
        return switch (command) {
            case SmtpCommand.Rejected rejected -> reply(rejected.reply());
            case SmtpCommand.Ehlo ehlo -> {
                greeted = true;
                transaction.reset();
                yield reply(ehloReply());
            }
            case SmtpCommand.Helo helo -> {
                greeted = true;
                transaction.reset();
                yield reply(SmtpReply.plain(250, services.config().mailDomain()));
            }
            case SmtpCommand.StartTls s -> startTls();
            case SmtpCommand.Auth auth -> AuthCommand.run(this, auth);
            case SmtpCommand.Mail mail -> transaction.mail(mail);
            case SmtpCommand.Rcpt rcpt -> transaction.rcpt(rcpt);
            case SmtpCommand.Data data -> DataCommand.run(this);
            case SmtpCommand.Rset rset -> {
                transaction.reset();
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
        transaction.reset();
        return true;
    }

    // ---- state the command classes share

    SmtpServices services() {
        return services;
    }

    SmtpPort port() {
        return port;
    }

    Transport transport() {
        return transport;
    }

    SmtpLineReader reader() {
        return reader;
    }

    SmtpReplyWriter writer() {
        return writer;
    }

    boolean greeted() {
        return greeted;
    }

    /** The logged-in account on submission, else null. */
    Account authenticated() {
        return authenticated;
    }

    void authenticated(Account account) {
        this.authenticated = account;
    }

    MailTransaction transaction() {
        return transaction;
    }

    /** The pipeline of this port: submission or inbound. */
    MessagePipeline pipeline() {
        return port.isSubmission() ? services.submission() : services.inbound();
    }
}
