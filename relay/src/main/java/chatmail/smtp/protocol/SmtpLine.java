package chatmail.smtp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What {@link SmtpLineReader#readLine()} found: a line, or why there is none. */
public sealed interface SmtpLine {

    /** A line that ended with CRLF; {@code bytes} excludes the CRLF. */
    record Complete(byte[] bytes) implements SmtpLine {
        public Complete {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The line as UTF-8 text (malformed bytes replaced); for SASL responses and tests. */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Complete c && Arrays.equals(bytes, c.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Complete[" + text() + "]";
        }
    }

    /**
     * A LF not preceded by CR, or a CR not followed by LF (SMTP-12). The session answers
     * {@link SmtpReplies#BARE_LINE_ENDING} and closes; reading on is not meaningful.
     */
    record BareLineEnding() implements SmtpLine {
    }

    /**
     * The line exceeded the limit. Its bytes were skipped up to and including its CRLF without
     * being buffered, so the next read starts at the next line.
     */
    record TooLong() implements SmtpLine {
    }

    /** The peer closed the stream; an unterminated partial line is dropped. */
    record EndOfInput() implements SmtpLine {
    }

    SmtpLine BARE_LINE_ENDING = new BareLineEnding();
    SmtpLine TOO_LONG = new TooLong();
    SmtpLine END_OF_INPUT = new EndOfInput();
}
