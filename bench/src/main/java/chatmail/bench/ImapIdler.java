package chatmail.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.SSLSocket;

/**
 * One IMAP connection as a Delta Chat device keeps it: implicit TLS, LOGIN, optionally
 * COMPRESS=DEFLATE, SELECT INBOX, IDLE. {@link #listen} then reports every {@code * n EXISTS}
 * with the instant it was read.
 */
public final class ImapIdler implements AutoCloseable {

    /** Called on the connection's reader thread for each EXISTS response. */
    @FunctionalInterface
    public interface ExistsListener {
        void exists(long count, long nanoTime);
    }

    /** Called on the connection's reader thread for each EXPUNGE response (the mailbox shrank by one). */
    @FunctionalInterface
    public interface ExpungeListener {
        void expunged(long sequenceNumber);
    }

    private final SSLSocket socket;
    private LineInput in;
    private OutputStream out;
    private int tag;
    private long selectedExists = -1;
    private String idleTag;
    private volatile boolean closing;

    private ImapIdler(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new LineInput(new BufferedInputStream(socket.getInputStream(), 2048));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1024);
    }

    /** Connects and logs in, selects INBOX and enters IDLE; throws ImapException on a refusal. */
    public static ImapIdler open(ClientTls tls, InetAddress source, String host, int port,
                                 String user, String password, boolean compress) throws IOException {
        return open(tls, source, host, port, user, password, compress, step -> { });
    }

    /** As above, telling {@code progress} each step as it begins (for naming a connection that hangs). */
    public static ImapIdler open(ClientTls tls, InetAddress source, String host, int port, String user,
                                 String password, boolean compress, Consumer<String> progress) throws IOException {
        ImapIdler c = new ImapIdler(tls.connect(source, host, port, progress));
        try {
            progress.accept("greeting");
            ImapResponseLine greeting = ImapResponseLine.parse(c.in.readLine());
            if (greeting.kind() != ImapResponseLine.Kind.UNTAGGED) {
                throw new ImapException("unexpected greeting");
            }
            progress.accept("LOGIN");
            c.run("LOGIN " + quoted(user) + " " + quoted(password));
            if (compress) {
                progress.accept("COMPRESS");
                c.run("COMPRESS DEFLATE");
                c.startCompression();
            }
            progress.accept("SELECT");
            c.run("SELECT INBOX");
            progress.accept("IDLE");
            c.idle();
            c.socket.setSoTimeout(0);
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw e;
        }
        return c;
    }

    /** The message count SELECT reported. */
    public long selectedExists() {
        return selectedExists;
    }

    /**
     * Reads responses on a new virtual thread until the connection closes, passing each EXISTS
     * to {@code listener}; {@code onClosed} runs once when reading ends (not when {@link #close}
     * ended it).
     */
    public Thread listen(ExistsListener listener, Runnable onClosed) {
        return listen(listener, n -> { }, onClosed);
    }

    /** As above, also passing each EXPUNGE (expiry deleting old mail from a watched mailbox). */
    public Thread listen(ExistsListener listener, ExpungeListener expunges, Runnable onClosed) {
        return Thread.ofVirtual().name("imap-idle").start(() -> {
            try {
                while (true) {
                    ImapResponseLine r = readResponse();
                    if (r.kind() == ImapResponseLine.Kind.EXISTS) {
                        listener.exists(r.number(), System.nanoTime());
                    } else if (r.kind() == ImapResponseLine.Kind.EXPUNGE) {
                        expunges.expunged(r.number());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The server ended it: the socket's descriptor must go now, not whenever a GC
                // finds it (a generator with 18,000 of them ran out of descriptors after a
                // relay restart, its old sockets all in CLOSE_WAIT).
                closeQuietly();
                if (!closing) {
                    onClosed.run();
                }
            }
        });
    }

    /**
     * Ends IDLE and waits for its tagged OK: proof that the server still holds this session.
     * Only for connections nobody {@link #listen}s to.
     */
    public boolean endIdle(int timeoutMillis) {
        try {
            socket.setSoTimeout(timeoutMillis);
            send("DONE");
            while (true) {
                ImapResponseLine r = readResponse();
                if (r.kind() == ImapResponseLine.Kind.TAGGED && r.tag().equals(idleTag)) {
                    return r.ok();
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Ends IDLE and starts it again at once, as a client does before the server's IDLE timeout
     * (RFC 2177: at least every 29 minutes; the relay's is 31). Only for connections that are
     * {@link #listen}ed to: their reader thread takes the tagged OK and the continuation.
     */
    public synchronized void renewIdle() throws IOException {
        send("DONE");
        idleTag = nextTag();
        send(idleTag + " IDLE");
    }

    private void idle() throws IOException {
        idleTag = nextTag();
        send(idleTag + " IDLE");
        while (true) {
            ImapResponseLine r = readResponse();
            if (r.kind() == ImapResponseLine.Kind.CONTINUATION) {
                return;
            }
            if (r.kind() == ImapResponseLine.Kind.TAGGED) {
                throw new ImapException("IDLE answered " + r.status());
            }
        }
    }

    private void run(String command) throws IOException {
        String t = nextTag();
        send(t + " " + command);
        while (true) {
            ImapResponseLine r = readResponse();
            if (r.kind() == ImapResponseLine.Kind.EXISTS) {
                selectedExists = r.number();
            } else if (r.kind() == ImapResponseLine.Kind.TAGGED && r.tag().equals(t)) {
                if (!r.ok()) {
                    throw new ImapException(command.substring(0, command.indexOf(' ') < 0 ? command.length() : command.indexOf(' '))
                            + " answered " + r.status());
                }
                return;
            }
        }
    }

    private ImapResponseLine readResponse() throws IOException {
        ImapResponseLine first = ImapResponseLine.parse(in.readLine());
        long literal = first.literal();
        while (literal >= 0) {
            in.skip(literal);
            literal = ImapResponseLine.parse("* " + in.readLine()).literal();
        }
        return first;
    }

    private void startCompression() throws IOException {
        // After the tagged OK both directions switch; nothing else was sent meanwhile.
        InputStream raw = socket.getInputStream();
        in = new LineInput(new BufferedInputStream(new InflaterInputStream(raw, new Inflater(true), 2048), 2048));
        out = new FlushDeflatingOutputStream(socket.getOutputStream());
    }

    private void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String nextTag() {
        return "a" + (++tag);
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to do.
        }
    }

    /** The server refused a step of the session set-up. */
    public static final class ImapException extends IOException {
        public ImapException(String message) {
            super(message);
        }
    }
}
