package chatmail.migrate;

/** A file of the reference relay is not in the format it should have; the item is skipped and reported. */
public final class ReferenceFormatException extends Exception {
    public ReferenceFormatException(String message) {
        super(message);
    }

    public ReferenceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
