package chatmail.smtp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One SMTP reply: a three-digit code, an optional enhanced status code (RFC 3463, as used by
 * RFC 2034) and one or more text lines. Multi-line replies are written as {@code 250-...}
 * lines followed by a final {@code 250 ...} line; the enhanced code, when present, starts every
 * line, as RFC 2034 requires. The greeting, the EHLO response and SASL challenges carry no
 * enhanced code.
 */
public record SmtpReply(int code, String enhancedCode, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (enhancedCode != null) {
            if (!ENHANCED.matcher(enhancedCode).matches() || enhancedCode.charAt(0) - '0' != code / 100) {
                throw new IllegalArgumentException("enhanced code " + enhancedCode + " does not fit " + code);
            }
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
        for (String line : lines) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                // A CR or LF in reply text would let text forge further replies.
                if (c == '\r' || c == '\n') {
                    throw new IllegalArgumentException("line break in reply text");
                }
            }
        }
    }

    /** A single-line reply with an enhanced code, e.g. {@code of(250, "2.0.0", "Ok")}. */
    public static SmtpReply of(int code, String enhancedCode, String text) {
        return new SmtpReply(code, enhancedCode, List.of(text));
    }

    /** The wire form of a policy reply (the REPLY table lives in {@link chatmail.policy.Replies}). */
    public static SmtpReply of(chatmail.policy.Reply reply) {
        return of(reply.code(), reply.enhancedCode(), reply.text());
    }

    /** A single-line reply without an enhanced code (greeting, SASL challenge). */
    public static SmtpReply plain(int code, String text) {
        return new SmtpReply(code, null, List.of(text));
    }

    /** A multi-line reply; {@code enhancedCode} may be null (the EHLO response has none). */
    public static SmtpReply multiline(int code, String enhancedCode, List<String> lines) {
        return new SmtpReply(code, enhancedCode, lines);
    }

    /** The same reply with extra words after the fixed text of its last line. */
    public SmtpReply withDetail(String detail) {
        Objects.requireNonNull(detail);
        var copy = new java.util.ArrayList<>(lines);
        copy.set(copy.size() - 1, copy.getLast() + " " + detail);
        return new SmtpReply(code, enhancedCode, copy);
    }

    public boolean isPositive() {
        return code < 400;
    }

    /** The first line's text (without code), handy for logs and tests. */
    public String text() {
        return lines.getFirst();
    }

    /** The reply as it goes on the wire, CRLF after every line. */
    public String toWire() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhancedCode != null) {
                sb.append(enhancedCode);
                if (!lines.get(i).isEmpty()) {
                    sb.append(' ');
                }
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    public byte[] toBytes() {
        return toWire().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String wire = toWire();
        return wire.substring(0, wire.length() - 2).replace("\r\n", " | ");
    }
}
