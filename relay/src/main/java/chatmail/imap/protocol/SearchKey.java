package chatmail.imap.protocol;

import java.time.LocalDate;
import java.util.List;

/** A SEARCH criterion (RFC 3501 section 6.4.4, plus MODSEQ of RFC 7162). */
public sealed interface SearchKey {

    /** Keys that only look at flags: ALL, SEEN, UNSEEN, … and KEYWORD/UNKEYWORD. */
    record Flag(String flag, boolean set) implements SearchKey {}

    record All() implements SearchKey {}

    /** NEW, OLD and RECENT: this server never reports \Recent, so NEW and RECENT match nothing. */
    record Recent(boolean recent) implements SearchKey {}

    record Uid(SequenceSet set) implements SearchKey {}

    record Sequence(SequenceSet set) implements SearchKey {}

    /** BEFORE, ON, SINCE compare the internal date; SENTBEFORE … the Date header. */
    record Date(Comparison comparison, boolean sent, LocalDate date) implements SearchKey {}

    enum Comparison { BEFORE, ON, SINCE }

    record Size(boolean larger, long size) implements SearchKey {}

    /** HEADER name value; FROM, TO, CC, BCC, SUBJECT are HEADER with a fixed name. */
    record Header(String field, String value) implements SearchKey {}

    /** BODY (text only) or TEXT (header and text). */
    record Text(boolean includeHeader, String value) implements SearchKey {}

    record ModSeq(long modseq) implements SearchKey {}

    record Not(SearchKey key) implements SearchKey {}

    record Or(SearchKey left, SearchKey right) implements SearchKey {}

    /** A parenthesized list, or the whole criteria list: all must match. */
    record And(List<SearchKey> keys) implements SearchKey {
        public And {
            keys = List.copyOf(keys);
        }
    }
}
