package chatmail.mime;

/**
 * How much structure a message may have before the relay refuses to parse it (SPEC SEC-4). Each
 * header section (the message's and every part's) has at most {@code maxHeaderFields} fields and
 * {@code maxHeaderBytes} bytes; bodies nest at most {@code maxDepth} levels (multipart parts and
 * message/rfc822 encapsulation; the message itself is depth 0).
 */
public record ParseLimits(int maxHeaderFields, int maxHeaderBytes, int maxDepth) {

    /** SEC-4: 1,000 fields, 1 MiB per header section, nesting 32. */
    public static final ParseLimits STANDARD = new ParseLimits(1_000, 1 << 20, 32);

    public ParseLimits {
        if (maxHeaderFields < 1 || maxHeaderBytes < 1 || maxDepth < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
