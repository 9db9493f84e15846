package chatmail.store.sqlite;

import chatmail.store.StoreException;
import java.io.IOException;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns database and file errors into {@link StoreException}, logging each once, here. */
final class StoreFailures {
    private static final Logger log = LoggerFactory.getLogger(StoreFailures.class);

    private StoreFailures() {}

    static StoreException translate(Throwable failure) {
        if (failure instanceof StoreException storeException) {
            return storeException;
        }
        if (failure instanceof SQLException || failure instanceof IOException) {
            log.warn("store operation failed", failure);
            return new StoreException("storage failure: " + failure.getClass().getSimpleName(), failure);
        }
        log.error("unexpected failure in store operation", failure);
        return new StoreException("internal store failure", failure);
    }
}
