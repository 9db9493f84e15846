package chatmail.store;

import java.time.Instant;
import java.util.Set;

/** A message moved from another server with the UID, flags and internal date it had there. */
public record ImportedMessage(long uid, Set<String> flags, Instant internalDate, MessageBody content) {
    public ImportedMessage {
        if (uid < 1 || uid > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("UID out of range: " + uid);
        }
        flags = Set.copyOf(flags);
    }
}
