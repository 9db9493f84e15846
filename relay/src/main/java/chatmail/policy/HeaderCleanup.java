package chatmail.policy;

import chatmail.mime.HeaderSection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * SMTP-6 (header part) and SMTP-10 header edits. Removed fields disappear with all their
 * continuation lines; every other byte (other fields, their order and folding, the separator line,
 * the body) is copied unchanged. The body is streamed through, never held (SEC-1).
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

    /**
     * SMTP-6 on a message in parts: the cleaned header section, then the body as it is.
     *
     * @param body the message's bytes after the header section
     */
    public static void outgoing(HeaderSection header, InputStream body, OutputStream out) throws IOException {
        write(header, true, out);
        body.transferTo(out);
    }

    /** SMTP-10: remove DKIM-Signature, Authentication-Results, Received (after DKIM was verified). */
    public static byte[] incoming(byte[] message) {
        return toBytes(message, false);
    }

    /** SMTP-10 on a message in parts, as {@link #outgoing(HeaderSection, InputStream, OutputStream)}. */
    public static void incoming(HeaderSection header, InputStream body, OutputStream out) throws IOException {
        write(header, false, out);
        body.transferTo(out);
    }

    private static byte[] toBytes(byte[] message, boolean outgoing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length);
        HeaderSection header = HeaderSection.parse(message);
        InputStream body = new ByteArrayInputStream(message, header.bodyStart(), message.length - header.bodyStart());
        try {
            write(header, outgoing, out);
            body.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(HeaderSection header, boolean outgoing, OutputStream out) throws IOException {
        List<String> removed = outgoing ? OUTGOING_REMOVED : INCOMING_REMOVED;
        byte[] data = header.data();
        boolean subjectWritten = false;
        for (HeaderSection.Field f : header.fields()) {
            if (removed.stream().anyMatch(f::is)) {
                continue;
            }
            if (outgoing && f.is("Subject")) {
                if (!subjectWritten) {
                    int eol = header.lineEndingStart(f);
                    out.write(SUBJECT);
                    out.write(data, eol, f.end() - eol);
                    subjectWritten = true;
                }
                continue;
            }
            out.write(data, f.start(), f.end() - f.start());
        }
        header.writeSeparator(out);
    }
}
