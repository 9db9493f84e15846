package chatmail.smtp.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Collects replies and writes them out together. A pipelined burst (MAIL, RCPT…, DATA) gets
 * all its replies in ONE write: with TCP_NODELAY a split write costs a round trip against
 * Delta Chat (SMTP-1). The session calls {@link #send} for every reply and {@link #flush()}
 * when the line reader has no further input buffered. Not thread-safe; one per connection.
 */
public final class SmtpReplyWriter {
    private OutputStream out;
    private byte[] pending = new byte[512];
    private int length;

    public SmtpReplyWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out);
    }

    /** Queues a reply; nothing is written until {@link #flush()}. */
    public void send(SmtpReply reply) {
        append(reply.toBytes());
    }

    /** Queues a reply and flushes everything queued. */
    public void sendNow(SmtpReply reply) throws IOException {
        send(reply);
        flush();
    }

    /** Writes all queued replies with a single write call, then flushes the stream. */
    public void flush() throws IOException {
        if (length == 0) {
            return;
        }
        int n = length;
        length = 0;
        out.write(pending, 0, n);
        out.flush();
        if (pending.length > 8192) {
            // A one-off large burst should not pin its buffer for the connection's lifetime.
            pending = new byte[512];
        }
    }

    /** Bytes queued but not yet written. */
    public int pendingBytes() {
        return length;
    }

    /**
     * Continues on another stream, for STARTTLS: queued replies must have been flushed on the
     * old stream first (the {@code 220} to STARTTLS goes out in the clear).
     */
    public void switchTo(OutputStream newOut) {
        if (length != 0) {
            throw new IllegalStateException("replies still queued for the old stream");
        }
        this.out = Objects.requireNonNull(newOut);
    }

    private void append(byte[] bytes) {
        if (length + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, length, bytes.length);
        length += bytes.length;
    }
}
