package chatmail.store;

import java.time.Instant;
import java.util.Set;

/** What IMAP needs to know of a message without reading its content. */
public record MessageInfo(long uid, Set<String> flags, long modseq, long size, Instant internalDate) {
    public MessageInfo {
        flags = Set.copyOf(flags);
    }
}
