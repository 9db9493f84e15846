package chatmail.store;

import java.time.Instant;
import java.util.Set;

/**
 * A message moved from another server with the UID, flags and internal date it had there.
 *
 * @param modseq the MODSEQ it had there (CONDSTORE), kept so a client's CHANGEDSINCE still finds
 *     what changed after its last sync; 0 when the old server kept none, so the store assigns one
 */
public record ImportedMessage(long uid, Set<String> flags, Instant internalDate, MessageBody content, long modseq) {
    public ImportedMessage {
        if (uid < 1 || uid > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("UID out of range: " + uid);
        }
        if (modseq < 0) {
            throw new IllegalArgumentException("MODSEQ out of range: " + modseq);
        }
        flags = Set.copyOf(flags);
    }

    /** A message from a server that kept no MODSEQ: the store assigns one. */
    public ImportedMessage(long uid, Set<String> flags, Instant internalDate, MessageBody content) {
        this(uid, flags, internalDate, content, 0);
    }
}
