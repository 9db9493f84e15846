package chatmail.turn.protocol;

import java.util.zip.CRC32;

/** FINGERPRINT (RFC 8489 section 14.7): CRC-32 of the message before it, XOR 0x5354554e. */
public final class Fingerprint {
    public static final int XOR = 0x5354554e;

    private Fingerprint() {}

    public static int of(byte[] message, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(message, offset, length);
        return (int) crc.getValue() ^ XOR;
    }
}
