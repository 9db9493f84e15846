package chatmail.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.net.ssl.SSLSocket;

/**
 * One authenticated submission connection (implicit TLS, port 465 style) that sends message
 * after message: MAIL, RCPT and DATA pipelined in one write, then the content and the final dot
 * in one write. The caller learns the instant the final dot left ({@link Submission#endOfData})
 * before the server's reply is read, so delivery can be timed from there.
 */
public final class SmtpSubmitter implements AutoCloseable {

    /**
     * Called around the content: {@code beforeContent} once the server said 354 (register the
     * message as in flight before it can possibly arrive), {@code endOfData} right after the
     * final dot was written, before the reply is read.
     */
    public interface ContentHooks {
        void beforeContent();

        /** Just before the final dot is written: the server cannot act on the message earlier. */
        default void beforeDot(long nanoTime) {
        }

        void endOfData(long nanoTime);
    }

    /** Outcome of one submission: the final reply, and timestamps from {@link System#nanoTime()}. */
    public record Submission(SmtpReplyLine reply, long endOfData, long replied) {
        public boolean accepted() {
            return reply.code() == 250;
        }
    }

    private final SSLSocket socket;
    private final LineInput in;
    private final OutputStream out;
    private final String login;

    private SmtpSubmitter(SSLSocket socket, String login) throws IOException {
        this.socket = socket;
        this.in = new LineInput(new BufferedInputStream(socket.getInputStream(), 4096));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.login = login;
    }

    /** Connects, reads the greeting, EHLO, AUTH PLAIN; throws SmtpException on a refusal. */
    public static SmtpSubmitter open(ClientTls tls, InetAddress source, String host, int port,
                                     String login, String password) throws IOException {
        SSLSocket socket = tls.connect(source, host, port);
        SmtpSubmitter s = new SmtpSubmitter(socket, login);
        try {
            s.expect(s.reply(), 220, "greeting");
            s.command("EHLO bench.localhost");
            s.expect(s.reply(), 250, "EHLO");
            String plain = Base64.getEncoder().encodeToString(("\0" + login + "\0" + password).getBytes(StandardCharsets.UTF_8));
            s.command("AUTH PLAIN " + plain);
            s.expect(s.reply(), 235, "AUTH");
            socket.setSoTimeout(0);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public String login() {
        return login;
    }

    /** Sets the read timeout for replies (0 = none). */
    public void replyTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * Submits one message from the login to {@code recipient}. {@code head} and {@code tail} are
     * its content, already dot-stuffed with CRLF line ends, {@code tail} ending in CRLF. A refusal
     * at MAIL or RCPT is returned as the submission's reply, without sending the content.
     */
    public Submission submit(String recipient, byte[] head, byte[] tail, ContentHooks hooks) throws IOException {
        out.write(("MAIL FROM:<" + login + ">\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        SmtpReplyLine mail = reply();
        SmtpReplyLine rcpt = reply();
        SmtpReplyLine data = reply();
        if (mail.code() != 250 || rcpt.code() != 250 || data.code() != 354) {
            if (data.code() == 354) {
                // A pipelining server may say 354 even after a refused RCPT; end the empty DATA.
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                reply();
            }
            long now = System.nanoTime();
            SmtpReplyLine refusal = mail.code() != 250 ? mail : rcpt.code() != 250 ? rcpt : data;
            return new Submission(refusal, now, now);
        }
        hooks.beforeContent();
        out.write(head);
        out.write(tail);
        hooks.beforeDot(System.nanoTime());
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        long end = System.nanoTime();
        hooks.endOfData(end);
        SmtpReplyLine reply = reply();
        return new Submission(reply, end, System.nanoTime());
    }

    private void command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one (possibly multi-line) reply and returns its last line. */
    private SmtpReplyLine reply() throws IOException {
        while (true) {
            SmtpReplyLine line = SmtpReplyLine.parse(in.readLine());
            if (line.last()) {
                return line;
            }
        }
    }

    private void expect(SmtpReplyLine reply, int code, String step) throws SmtpException {
        if (reply.code() != code) {
            throw new SmtpException(step + " answered " + SmtpReplyLine.abbreviate(reply.toString()));
        }
    }

    @Override
    public void close() {
        try {
            socket.setSoTimeout(2000);
            command("QUIT");
            reply();
        } catch (IOException | RuntimeException ignored) {
            // Closing anyway.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to do.
        }
    }

    /** The server refused a step of the session set-up. */
    public static final class SmtpException extends IOException {
        public SmtpException(String message) {
            super(message);
        }
    }
}
