package chatmail.store;

/** The store could not do what was asked (I/O, database); callers answer "temporary local problem". */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
