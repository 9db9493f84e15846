package chatmail.turn.protocol;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Reads a Send indication (RFC 8656 section 11) on the relay path: the peer from
 * XOR-PEER-ADDRESS and where DATA lies, into a reused {@link Target}, without allocating. The
 * checks are those of {@link StunParser} for a message of this type.
 */
public final class SendIndication {

    /** What one Send indication asks: send these bytes of the buffer to this peer. */
    public static final class Target {
        public final byte[] ip = new byte[16];
        /** 4 or 16. */
        public int ipLength;
        public int port;
        public int dataOffset;
        public int dataLength;
        public boolean dontFragment;
    }

    private SendIndication() {}

    /**
     * Reads the Send indication in {@code b[0, length)}; false when it is not one or is malformed
     * (no peer, no data, a bad FINGERPRINT). {@code crc} is scratch state, reused.
     */
    public static boolean read(ByteBuffer b, int length, CRC32 crc, Target out) {
        if (length < Stun.HEADER_LENGTH || (b.getShort(0) & 0xFFFF) != Stun.SEND_INDICATION
                || b.getInt(4) != Stun.MAGIC_COOKIE) {
            return false;
        }
        int declared = b.getShort(2) & 0xFFFF;
        if (declared != length - Stun.HEADER_LENGTH || (declared & 3) != 0) {
            return false;
        }
        int peerAt = -1;
        int peerLength = 0;
        int dataAt = -1;
        int dataLength = 0;
        boolean integrity = false;
        boolean dontFragment = false;
        int position = Stun.HEADER_LENGTH;
        int count = 0;
        while (position < length) {
            if (++count > StunParser.MAX_ATTRIBUTES || length - position < 4) {
                return false;
            }
            int type = b.getShort(position) & 0xFFFF;
            int valueLength = b.getShort(position + 2) & 0xFFFF;
            int padded = (valueLength + 3) & ~3;
            if (padded > length - position - 4) {
                return false;
            }
            int value = position + 4;
            if (type == Attribute.FINGERPRINT) {
                if (valueLength != 4 || value + 4 != length || b.getInt(value) != fingerprint(b, position, crc)) {
                    return false;
                }
            } else if (!integrity) {
                switch (type) {
                    case Attribute.XOR_PEER_ADDRESS -> {
                        if (peerAt < 0) {
                            peerAt = value;
                            peerLength = valueLength;
                        }
                    }
                    case Attribute.DATA -> {
                        if (dataAt < 0) {
                            dataAt = value;
                            dataLength = valueLength;
                        }
                    }
                    case Attribute.DONT_FRAGMENT -> dontFragment = true;
                    case Attribute.MESSAGE_INTEGRITY -> {
                        if (valueLength != MessageIntegrity.LENGTH) {
                            return false;
                        }
                        integrity = true;
                    }
                    default -> { }
                }
            }
            position = value + padded;
        }
        if (peerAt < 0 || dataAt < 0) {
            return false;
        }
        int family = peerLength >= 2 ? b.get(peerAt + 1) & 0xFF : 0;
        int size = family == Attribute.FAMILY_IPV4 ? 4 : family == Attribute.FAMILY_IPV6 ? 16 : -1;
        if (size < 0 || peerLength != 4 + size) {
            return false;
        }
        out.port = (b.getShort(peerAt + 2) & 0xFFFF) ^ (Stun.MAGIC_COOKIE >>> 16);
        out.ipLength = size;
        for (int i = 0; i < size; i++) {
            int mask = i < 4 ? (Stun.MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : b.get(8 + i - 4) & 0xFF;
            out.ip[i] = (byte) (b.get(peerAt + 4 + i) ^ mask);
        }
        out.dataOffset = dataAt;
        out.dataLength = dataLength;
        out.dontFragment = dontFragment;
        return true;
    }

    private static int fingerprint(ByteBuffer b, int end, CRC32 crc) {
        int position = b.position();
        int limit = b.limit();
        crc.reset();
        b.limit(end).position(0);
        crc.update(b);
        b.limit(limit).position(position);
        return (int) crc.getValue() ^ Fingerprint.XOR;
    }
}
