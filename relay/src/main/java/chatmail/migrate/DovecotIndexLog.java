package chatmail.migrate;

import java.util.OptionalLong;

/**
 * What Dovecot's binary index files of a mailbox say about its UIDVALIDITY and next UID: the
 * header of {@code dovecot.index} (written only once a mailbox is busy enough) and the
 * transactions in {@code dovecot.index.log} (always there). Both are read best-effort: a file in
 * another version or byte order, or cut short, yields what was read before the problem. The
 * layouts are Dovecot 2.3's {@code struct mail_index_header} and
 * {@code struct mail_transaction_log_header} / {@code mail_transaction_header}.
 *
 * @param uidValidity the mailbox's UIDVALIDITY when a file records it
 * @param nextUid     the next UID: the highest recorded, or above the highest appended UID
 */
public record DovecotIndexLog(OptionalLong uidValidity, OptionalLong nextUid) {
    private static final int INDEX_MAJOR_VERSION = 7;
    private static final int LOG_MAJOR_VERSION = 1;
    private static final int COMPAT_LITTLE_ENDIAN = 0x01;
    // Offsets in struct mail_index_header.
    private static final int UID_VALIDITY = 24;
    private static final int NEXT_UID = 28;
    // Transaction types (mail-transaction-log.h).
    private static final int TYPE_MASK = 0x0fffffff;
    private static final int APPEND = 0x00000002;
    private static final int HEADER_UPDATE = 0x00000020;
    private static final int RECORD_HEADER = 8;
    private static final int APPEND_RECORD = 8;

    public static DovecotIndexLog empty() {
        return new DovecotIndexLog(OptionalLong.empty(), OptionalLong.empty());
    }

    /** The header of {@code dovecot.index}. */
    public static DovecotIndexLog readIndex(byte[] file) {
        if (file.length < 32 || (file[0] & 0xff) != INDEX_MAJOR_VERSION
                || (file[12] & COMPAT_LITTLE_ENDIAN) == 0 || u16(file, 2) < 32) {
            return empty();
        }
        long validity = u32(file, UID_VALIDITY);
        long next = u32(file, NEXT_UID);
        return new DovecotIndexLog(validity == 0 ? OptionalLong.empty() : OptionalLong.of(validity),
                next == 0 ? OptionalLong.empty() : OptionalLong.of(next));
    }

    /** The transactions of {@code dovecot.index.log} (or a rotated {@code .log.2}). */
    public static DovecotIndexLog readLog(byte[] file) {
        if (file.length < 40 || (file[0] & 0xff) != LOG_MAJOR_VERSION) {
            return empty();
        }
        int headerSize = u16(file, 2);
        if (headerSize < 24 || headerSize > file.length || (headerSize >= 33 && (file[32] & COMPAT_LITTLE_ENDIAN) == 0)) {
            return empty();
        }
        long validity = 0;
        long next = 0;
        int pos = headerSize;
        while (pos + RECORD_HEADER <= file.length) {
            long size = recordSize(file, pos);
            if (size < RECORD_HEADER || size > file.length - pos) {
                break; // the end, or a record still being written
            }
            int end = pos + (int) size;
            int type = (int) (u32(file, pos + 4) & TYPE_MASK);
            int data = pos + RECORD_HEADER;
            if (type == APPEND) {
                for (int p = data; p + APPEND_RECORD <= end; p += APPEND_RECORD) {
                    long uid = u32(file, p);
                    if (uid > 0 && uid < 0xFFFF_FFFFL) {
                        next = Math.max(next, uid + 1);
                    }
                }
            } else if (type == HEADER_UPDATE) {
                int p = data;
                while (p + 4 <= end) {
                    int offset = u16(file, p);
                    int length = u16(file, p + 2);
                    int values = p + 4;
                    if (values + length > end) {
                        break;
                    }
                    if (offset <= UID_VALIDITY && offset + length >= UID_VALIDITY + 4) {
                        validity = u32(file, values + UID_VALIDITY - offset);
                    }
                    if (offset <= NEXT_UID && offset + length >= NEXT_UID + 4) {
                        next = Math.max(next, u32(file, values + NEXT_UID - offset));
                    }
                    p = values + length;
                    p += (4 - p % 4) % 4; // updates are padded to 4 bytes
                }
            }
            pos = end;
        }
        return new DovecotIndexLog(validity == 0 ? OptionalLong.empty() : OptionalLong.of(validity),
                next == 0 ? OptionalLong.empty() : OptionalLong.of(next));
    }

    /** Combines what several files say: the later validity wins when known, the highest next UID. */
    public DovecotIndexLog and(DovecotIndexLog later) {
        OptionalLong v = later.uidValidity.isPresent() ? later.uidValidity : uidValidity;
        OptionalLong n;
        if (later.nextUid.isPresent() && nextUid.isPresent()) {
            n = OptionalLong.of(Math.max(later.nextUid.getAsLong(), nextUid.getAsLong()));
        } else {
            n = later.nextUid.isPresent() ? later.nextUid : nextUid;
        }
        return new DovecotIndexLog(v, n);
    }

    /**
     * A record's size, stored as four bytes each with the top bit set and 7 bits of the value
     * (Dovecot's {@code mail_index_offset_to_uint32}); 0 when the bytes are not in that form.
     */
    static long recordSize(byte[] b, int at) {
        int b0 = b[at] & 0xff;
        int b1 = b[at + 1] & 0xff;
        int b2 = b[at + 2] & 0xff;
        int b3 = b[at + 3] & 0xff;
        if ((b0 & 0x80) == 0 || (b1 & 0x80) == 0 || (b2 & 0x80) == 0 || (b3 & 0x80) == 0) {
            return 0;
        }
        return ((long) (b3 & 0x7f) << 2) | ((long) (b2 & 0x7f) << 9) | ((long) (b1 & 0x7f) << 16)
                | ((long) (b0 & 0x7f) << 23);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
