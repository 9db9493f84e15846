package chatmail.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SMTP-6 (header part) and SMTP-10 header edits on raw bytes. Removed fields disappear with all their
 * continuation lines; every other byte (other fields, their order and folding, the separator line,
 * the body) is copied unchanged.
 *
 * <p>Subject, outgoing: as the reference's Postfix header_checks ({@code REPLACE Subject: [...]}),
 * a present Subject becomes {@code Subject: [...]} and none is added when absent. Only the first
 * Subject field is kept; further ones are removed, since a second Subject would still leak the text.
 * The replacement line keeps the field's own line ending (CRLF or LF).
 */
public final class HeaderCleanup {

    static final List<String> OUTGOING_REMOVED = List.of("Received", "X-Originating-IP", "X-Mailer", "User-Agent");
    static final List<String> INCOMING_REMOVED = List.of("DKIM-Signature", "Authentication-Results", "Received");
    private static final byte[] SUBJECT = "Subject: [...]".getBytes(StandardCharsets.US_ASCII);

    private HeaderCleanup() {}

    /** SMTP-6: remove Received, X-Originating-IP, X-Mailer, User-Agent; Subject becomes [...]. */
    public static byte[] outgoing(byte[] message) {
        return toBytes(message, true);
    }

    public static void outgoing(byte[] message, OutputStream out) throws IOException {
        write(message, true, out);
    }

    /** SMTP-10: remove DKIM-Signature, Authentication-Results, Received (after DKIM was verified). */
    public static byte[] incoming(byte[] message) {
        return toBytes(message, false);
    }

    public static void incoming(byte[] message, OutputStream out) throws IOException {
        write(message, false, out);
    }

    private static byte[] toBytes(byte[] message, boolean outgoing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
        try {
            write(message, outgoing, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(byte[] message, boolean outgoing, OutputStream out) throws IOException {
        RawHeaderSection headers = RawHeaderSection.parse(message);
        List<String> removed = outgoing ? OUTGOING_REMOVED : INCOMING_REMOVED;
        boolean subjectWritten = false;
        for (RawHeaderSection.Field f : headers.fields()) {
            if (removed.stream().anyMatch(f::is)) {
                continue;
            }
            if (outgoing && f.is("Subject")) {
                if (!subjectWritten) {
                    out.write(SUBJECT);
                    out.write(message, lineEndingStart(message, f), f.end() - lineEndingStart(message, f));
                    subjectWritten = true;
                }
                continue;
            }
            out.write(message, f.start(), f.end() - f.start());
        }
        out.write(message, headers.headerEnd(), message.length - headers.headerEnd());
    }

    /** Offset of the field's final CRLF or LF (equal to its end when it has none, at end of data). */
    private static int lineEndingStart(byte[] m, RawHeaderSection.Field f) {
        int end = f.end();
        if (end > f.start() && m[end - 1] == '\n') {
            return end >= 2 && m[end - 2] == '\r' && end - 2 >= f.start() ? end - 2 : end - 1;
        }
        return end;
    }
}
