package chatmail.turn.protocol;

import java.nio.ByteBuffer;

/**
 * Writes a Data indication (RFC 8656 section 11.4) around data already in the relay's buffer:
 * the header and XOR-PEER-ADDRESS go in front of it, the padding behind, nothing is copied.
 */
public final class DataIndication {
    /** Room in front of the data for the longest header (an IPv6 peer). */
    public static final int MAX_HEADER_LENGTH = headerLength(16);

    private DataIndication() {}

    public static int headerLength(int ipLength) {
        return Stun.HEADER_LENGTH + 4 + 4 + ipLength + 4;
    }

    /**
     * Writes the message for the {@code dataLength} bytes at {@code dataOffset} and returns where
     * it starts; it ends at {@code dataOffset + dataLength} rounded up to 4 (the buffer must have
     * room for 3 bytes of padding). The transaction ID is {@code tidHigh}, {@code tidLow}.
     */
    public static int write(ByteBuffer b, int dataOffset, int dataLength, byte[] ip, int ipLength, int port,
                            int tidHigh, long tidLow) {
        int start = dataOffset - headerLength(ipLength);
        int padded = (dataLength + 3) & ~3;
        int messageLength = 4 + 4 + ipLength + 4 + padded;
        b.putShort(start, (short) Stun.DATA_INDICATION);
        b.putShort(start + 2, (short) messageLength);
        b.putInt(start + 4, Stun.MAGIC_COOKIE);
        b.putInt(start + 8, tidHigh);
        b.putLong(start + 12, tidLow);
        int at = start + Stun.HEADER_LENGTH;
        b.putShort(at, (short) Attribute.XOR_PEER_ADDRESS);
        b.putShort(at + 2, (short) (4 + ipLength));
        b.put(at + 4, (byte) 0);
        b.put(at + 5, (byte) (ipLength == 4 ? Attribute.FAMILY_IPV4 : Attribute.FAMILY_IPV6));
        b.putShort(at + 6, (short) (port ^ (Stun.MAGIC_COOKIE >>> 16)));
        for (int i = 0; i < ipLength; i++) {
            int mask = i < 4 ? (Stun.MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : b.get(start + 8 + i - 4) & 0xFF;
            b.put(at + 8 + i, (byte) (ip[i] ^ mask));
        }
        at += 8 + ipLength;
        b.putShort(at, (short) Attribute.DATA);
        b.putShort(at + 2, (short) dataLength);
        for (int i = dataLength; i < padded; i++) {
            b.put(dataOffset + i, (byte) 0);
        }
        return start;
    }

    /** Where the message written by {@link #write} ends. */
    public static int end(int dataOffset, int dataLength) {
        return dataOffset + ((dataLength + 3) & ~3);
    }
}
