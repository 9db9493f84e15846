package chatmail.store;

import java.time.Instant;

/** A message about to be stored: its raw bytes (in memory or spooled) and the time it arrived. */
public record NewMessage(MessageBody content, Instant internalDate) {

    public NewMessage(byte[] content, Instant internalDate) {
        this(MessageBody.of(content), internalDate);
    }
}
