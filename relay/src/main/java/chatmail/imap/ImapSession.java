package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.ImapCommandParser;
import chatmail.imap.protocol.ImapParseException;
import chatmail.imap.protocol.ImapReader;
import chatmail.imap.protocol.ImapRequest;
import chatmail.imap.protocol.ImapResponseWriter;
import chatmail.net.LoginTimeoutException;
import chatmail.net.Transport;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.MailboxChanges;
import chatmail.store.MailboxEvents;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IMAP connection's state machine (RFC 3501 states: not authenticated until
 * {@link #account()} is set, selected while {@link #selected()} is). Reading and parsing is {@code imap.protocol}'s job, each command's
 * behaviour is its own class; this class holds the state they share and the loop that reads a
 * command, checks it is allowed now, runs it, and reports mailbox changes at the points RFC
 * 3501 allows.
 *
 * <p>Responses are buffered and written when the reader would block for more input, so a
 * pipelined burst is answered in one write (IMAP-4). During IDLE a second thread writes
 * notifications; {@link #outputLock} keeps the two apart.
 */
final class ImapSession {
    private static final Logger log = LoggerFactory.getLogger(ImapSession.class);

    private final ImapServices services;
    private final ImapPort port;
    private final Transport transport;
    final ReentrantLock outputLock = new ReentrantLock();

    private ImapReader reader;
    private ImapResponseWriter writer;
    private Account account;
    private MailboxEvents.Subscription subscription;
    private volatile SelectedMailbox selected;
    private volatile Runnable mailboxWaker;
    private boolean condstore;
    private boolean compressed;
    private DeflateOutputStream deflateOut;
    private int badCommands;

    ImapSession(ImapServices services, ImapPort port, Transport transport) {
        this.services = services;
        this.port = port;
        this.transport = transport;
    }

    void run() throws IOException {
        ImapLimits limits = services.limits();
        transport.setReadTimeout(limits.beforeLogin());
        writer = new ImapResponseWriter(transport.out());
        // SEC-2: before login a line holds credentials at most, so a short one is enough.
        reader = new ImapReader(transport.in(), limits.maxLineBeforeLogin(), this::awaitingClient);
        try {
            writer.untagged("OK [CAPABILITY " + capabilities() + "] chatmail ready.");
            while (true) {
                long maxLiteral = account == null ? limits.maxLiteralBeforeLogin() : limits.maxLiteral();
                // Only after login may a literal (an APPEND message) be larger than a line: spooled.
                ImapReader.Input input = reader.readCommand(maxLiteral, () -> writer.continuation("OK"),
                        account == null ? null : services.spool());
                if (!transport.busy().begin()) {
                    // The relay is stopping: a command not begun is not executed, as its answer might be lost.
                    if (input instanceof ImapReader.Command c && c.literal() != null) {
                        c.literal().close();
                    }
                    break;
                }
                if (!handle(input)) {
                    break;
                }
            }
        } catch (LoginTimeoutException e) {
            writer.untagged("BYE Login time limit exceeded.");
        } catch (SocketTimeoutException e) {
            writer.untagged("BYE Disconnected for inactivity.");
        } finally {
            if (subscription != null) {
                subscription.close();
            }
            try {
                flush();
            } catch (IOException ignored) {
                // the client is gone
            }
        }
    }

    /** Handles what the reader found; false when the connection must end. */
    private boolean handle(ImapReader.Input input) throws IOException {
        switch (input) {
            case ImapReader.EndOfInput e -> {
                return false;
            }
            case ImapReader.TooLong t -> {
                writer.tagged(t.tag() == null ? "*" : t.tag(), "BAD", "Command line too long.");
                writer.untagged("BYE Too long command line.");
                return false;
            }
            case ImapReader.LiteralTooLarge l -> {
                String tag = l.tag() == null ? "*" : l.tag();
                if (l.synchronizing()) {
                    writer.tagged(tag, "NO", "[TOOBIG] Literal too large.");
                    return true;
                }
                writer.tagged(tag, "BAD", "[TOOBIG] Literal too large.");
                writer.untagged("BYE Literal too large.");
                return false;
            }
            case ImapReader.Command c -> {
                try {
                    ImapRequest request;
                    try {
                        request = ImapCommandParser.parse(c);
                    } catch (ImapParseException e) {
                        return bad(e.tag() == null ? "*" : e.tag(), e.responseText());
                    }
                    return dispatch(request.tag(), request.command());
                } finally {
                    if (c.literal() != null) {
                        c.literal().close();
                    }
                }
            }
        }
    }

    /** Runs one command; false when the connection must end. */
    private boolean dispatch(String tag, ImapCommand command) throws IOException {
        String refusal = refusal(command);
        if (refusal != null) {
            return bad(tag, refusal);
        }
        Result result;
        try {
            result = execute(tag, command);
            if (result.status() != null && !result.status().equals("BAD") && !result.close()) {
                syncSelected(allowsExpunge(command));
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        } catch (StoreException e) {
            log.warn("IMAP {} failed in the store: {}", command.name(), e.toString());
            result = Result.no("[UNAVAILABLE] Temporary local problem, try again later.");
        } catch (RuntimeException e) {
            log.error("IMAP {} failed", command.name(), e);
            result = Result.no("[SERVERBUG] Internal error, try again later.");
        }
        if (result.status() == null) {
            return true;
        }
        if (result.status().equals("BAD")) {
            return bad(tag, result.text());
        }
        writer.tagged(tag, result.status(), result.text());
        return !result.close();
    }

    /**
     * RFC 3501 7.4.1: no EXPUNGE response while answering FETCH, STORE or SEARCH by sequence
     * number; their UID forms and every other command may carry them.
     */
    private static boolean allowsExpunge(ImapCommand command) {
        return switch (command) {
            case ImapCommand.Fetch f -> f.uid();
            case ImapCommand.Store s -> s.uid();
            case ImapCommand.Search s -> s.uid();
            default -> true;
        };
    }

    private Result execute(String tag, ImapCommand command) throws IOException {
        return switch (command) {
            case ImapCommand.Capability c -> SessionCommands.capability(this);
            case ImapCommand.Noop c -> Result.ok("NOOP completed.");
            case ImapCommand.Check c -> Result.ok("Check completed.");
            case ImapCommand.Logout c -> SessionCommands.logout(this);
            case ImapCommand.Id c -> SessionCommands.id(this);
            case ImapCommand.Enable c -> SessionCommands.enable(this, c);
            case ImapCommand.Namespace c -> SessionCommands.namespace(this);
            case ImapCommand.StartTls c -> StartTlsCommand.run(this, tag);
            case ImapCommand.Login c -> LoginCommand.login(this, c);
            case ImapCommand.Authenticate c -> LoginCommand.authenticate(this, c);
            case ImapCommand.Compress c -> CompressCommand.run(this, tag, c);
            case ImapCommand.Select c -> SelectCommand.select(this, c);
            case ImapCommand.Close c -> SelectCommand.close(this);
            case ImapCommand.Unselect c -> SelectCommand.unselect(this);
            case ImapCommand.ListMailboxes c -> ListCommand.run(this, c);
            case ImapCommand.Create c -> MailboxCommands.create(this, c);
            case ImapCommand.Delete c -> MailboxCommands.delete(this, c);
            case ImapCommand.Rename c -> MailboxCommands.rename(this, c);
            case ImapCommand.Subscribe c -> MailboxCommands.subscribe(this, c);
            case ImapCommand.Status c -> StatusCommand.run(this, c);
            case ImapCommand.Append c -> AppendCommand.run(this, c);
            case ImapCommand.Fetch c -> FetchCommand.run(this, c);
            case ImapCommand.Store c -> StoreCommand.run(this, c);
            case ImapCommand.Search c -> SearchCommand.run(this, c);
            case ImapCommand.Expunge c -> ExpungeCommand.run(this, c);
            case ImapCommand.Copy c -> CopyMoveCommand.run(this, c);
            case ImapCommand.Idle c -> IdleCommand.run(this);
            case ImapCommand.GetQuotaRoot c -> QuotaCommand.getQuotaRoot(this, c);
            case ImapCommand.GetQuota c -> QuotaCommand.getQuota(this, c);
            case ImapCommand.SetQuota c -> Result.no("[NOPERM] Quota limits are set by the server configuration.");
            case ImapCommand.GetMetadata c -> MetadataCommand.get(this, c);
            case ImapCommand.SetMetadata c -> MetadataCommand.set(this, c);
        };
    }

    /** Why the command is not allowed in the current state, or null when it is. */
    private String refusal(ImapCommand command) {
        return switch (command) {
            case ImapCommand.Capability c -> null;
            case ImapCommand.Noop c -> null;
            case ImapCommand.Logout c -> null;
            case ImapCommand.Id c -> null;
            case ImapCommand.StartTls c -> {
                if (port.implicitTls() || transport.isTls()) {
                    yield "TLS is already active.";
                }
                yield account != null ? "Already logged in." : null;
            }
            case ImapCommand.Login c -> account != null ? "Already logged in." : null;
            case ImapCommand.Authenticate c -> account != null ? "Already logged in." : null;
            case ImapCommand.Check c -> selectedOnly();
            case ImapCommand.Close c -> selectedOnly();
            case ImapCommand.Unselect c -> selectedOnly();
            case ImapCommand.Expunge c -> selectedOnly();
            case ImapCommand.Search c -> selectedOnly();
            case ImapCommand.Fetch c -> selectedOnly();
            case ImapCommand.Store c -> selectedOnly();
            case ImapCommand.Copy c -> selectedOnly();
            default -> account == null ? "Not logged in." : null;
        };
    }

    private String selectedOnly() {
        if (account == null) {
            return "Not logged in.";
        }
        return selected == null ? "No mailbox selected." : null;
    }

    /** Answers BAD; false when there have been too many. */
    boolean bad(String tag, String text) throws IOException {
        writer.tagged(tag, "BAD", text);
        if (++badCommands >= services.limits().maxBadCommands()) {
            writer.untagged("BYE Too many invalid IMAP commands.");
            return false;
        }
        return true;
    }

    /**
     * The reader is about to block for the client (the next command, a literal, IDLE's DONE):
     * the responses go out, and a stop may close the connection at once from here (BusyMarker).
     */
    private void awaitingClient() throws IOException {
        flush();
        transport.busy().end();
    }

    /** Writes what is buffered. */
    void flush() throws IOException {
        outputLock.lock();
        try {
            writer.flush();
        } finally {
            outputLock.unlock();
        }
    }

    // ---- state the commands share

    ImapServices services() {
        return services;
    }

    MailStore store() {
        return services.store();
    }

    ImapResponseWriter out() {
        return writer;
    }

    ImapReader reader() {
        return reader;
    }

    Transport transport() {
        return transport;
    }

    ImapPort port() {
        return port;
    }

    Account account() {
        return account;
    }

    SelectedMailbox selected() {
        return selected;
    }

    boolean condstore() {
        return condstore;
    }

    void enableCondstore() {
        condstore = true;
    }

    boolean compressed() {
        return compressed;
    }

    String capabilities() {
        return Capabilities.of(port.implicitTls() || transport.isTls(), account != null,
                services.config().imapCompress() && !compressed);
    }

    /** Login succeeded: from now on mailbox changes of the account reach this session. */
    void loggedIn(Account loggedIn) throws IOException {
        account = loggedIn;
        reader.maxLineLength(services.limits().maxLineLength());
        transport.setReadTimeout(services.limits().autologout());
        subscription = services.store().events().subscribe(loggedIn.id(), this::onMailboxEvent);
    }

    /** Runs on the store's writer thread: only marks and wakes, never blocks. */
    private void onMailboxEvent(MailboxEvents.MailboxEvent event) {
        SelectedMailbox current = selected;
        if (current != null && current.mailboxId() == event.mailboxId()) {
            current.markChanged();
            Runnable waker = mailboxWaker;
            if (waker != null) {
                waker.run();
            }
        }
    }

    /** The selected mailbox's id, or -1 when none is selected. */
    long selectedMailboxId() {
        SelectedMailbox view = selected;
        return view == null ? -1 : view.mailboxId();
    }

    boolean selectedNeedsSync() {
        SelectedMailbox view = selected;
        return view != null && view.needsSync();
    }

    /**
     * Set while IDLE waits, so a change of the selected mailbox wakes it at once. Changed under
     * the output lock: while it is set, only that lock's holder writes (SEC-9's BYE relies on it).
     */
    void mailboxWaker(Runnable waker) {
        outputLock.lock();
        try {
            this.mailboxWaker = waker;
        } finally {
            outputLock.unlock();
        }
    }

    /**
     * The account was deleted (SEC-9), called from another thread: a session in IDLE is told
     * {@code * BYE}, as only the IDLE notifier writes then; any other is closed, since it may be
     * in the middle of a response.
     */
    void endForDeletedAccount() {
        try {
            if (outputLock.tryLock(1, java.util.concurrent.TimeUnit.SECONDS)) {
                try {
                    if (mailboxWaker != null) {
                        writer.untagged("BYE Account deleted.");
                        writer.flush();
                    }
                } finally {
                    outputLock.unlock();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the connection is going anyway
        } finally {
            transport.abort();
        }
    }

    void select(SelectedMailbox mailbox) {
        selected = mailbox;
    }

    void unselect() {
        selected = null;
    }

    /** After STARTTLS or COMPRESS: new streams under the reader and writer. */
    void switchStreams(InputStream in, OutputStream out) {
        reader.switchTo(in);
        writer.switchTo(out);
    }

    void compressionStarted(DeflateOutputStream out) {
        compressed = true;
        deflateOut = out;
    }

    /** The compressing output stream, or null without COMPRESS. */
    DeflateOutputStream deflateOut() {
        return deflateOut;
    }

    /**
     * Reports changes of the selected mailbox since the client last heard, if there are any.
     *
     * @param allowExpunge false while answering FETCH, STORE or SEARCH by sequence number, when
     *     RFC 3501 7.4.1 forbids EXPUNGE responses (sequence numbers would shift under the client)
     */
    void syncSelected(boolean allowExpunge) throws IOException {
        SelectedMailbox view = selected;
        if (view == null || !view.needsSync()) {
            return;
        }
        view.clearChanged();
        if (view.canApplyChanges()) {
            // After a delivery only the new rows, not the whole mailbox (issue 16), unless something went.
            Optional<MailboxChanges> changes = services.store().changesSince(view.mailboxId(), view.syncedModseq());
            if (changes.isPresent()) {
                view.apply(changes.get(), syncResponses());
                return;
            }
        }
        MailboxSnapshot snapshot = services.store().snapshot(view.mailboxId());
        view.sync(snapshot, allowExpunge, syncResponses());
    }

    /** The untagged responses of a sync, written to this session's output. */
    SelectedMailbox.Responses syncResponses() {
        return new SelectedMailbox.Responses() {
            @Override
            public void exists(int count) {
                untaggedQuietly(count + " EXISTS");
            }

            @Override
            public void expunge(int seq) {
                untaggedQuietly(seq + " EXPUNGE");
            }

            @Override
            public void flags(int seq, MessageInfo info) {
                untaggedQuietly(seq + " FETCH (UID " + info.uid() + " " + FetchResponses.flags(info.flags())
                        + (condstore ? " MODSEQ (" + info.modseq() + ")" : "") + ")");
            }
        };
    }

    private void untaggedQuietly(String line) {
        try {
            writer.untagged(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Duration idleTimeout() {
        return services.limits().idle();
    }
}
