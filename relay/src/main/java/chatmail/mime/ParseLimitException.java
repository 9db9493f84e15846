package chatmail.mime;

/** A message breaks one of the {@link ParseLimits}; it is refused, never parsed further. */
public final class ParseLimitException extends Exception {

    /** Which limit. */
    public enum Limit {
        HEADER_BYTES, HEADER_FIELDS, MIME_DEPTH
    }

    private final Limit limit;

    public ParseLimitException(Limit limit) {
        super(switch (limit) {
            case HEADER_BYTES -> "header section too large";
            case HEADER_FIELDS -> "too many header fields";
            case MIME_DEPTH -> "MIME nesting too deep";
        }, null, false, false);
        this.limit = limit;
    }

    public Limit limit() {
        return limit;
    }
}
