package chatmail.policy;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One SMTP reply: basic code, RFC 3463 enhanced status code and text.
 * Multi-line formatting is the SMTP engine's job; this only renders one line.
 */
public record Reply(int code, String enhancedCode, String text) {

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public Reply {
        Objects.requireNonNull(enhancedCode, "enhancedCode");
        Objects.requireNonNull(text, "text");
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code out of range: " + code);
        }
        if (!ENHANCED.matcher(enhancedCode).matches() || enhancedCode.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced code " + enhancedCode + " does not fit reply code " + code);
        }
        // A CR or LF in the text would let client-supplied data (an address) inject extra reply lines.
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("reply text must be a single line");
        }
    }

    /** The reply as one line without CRLF, e.g. {@code 550 5.7.1 From header does not match sender}. */
    public String line() {
        return code + " " + enhancedCode + " " + text;
    }

    /** Same code, with detail appended after the contractual words (SPEC REPLY allows detail after them). */
    public Reply withDetail(String detail) {
        return new Reply(code, enhancedCode, text + " " + detail);
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    @Override
    public String toString() {
        return line();
    }
}
