package chatmail.turn.protocol;

import java.nio.ByteBuffer;

/**
 * ChannelData (RFC 8656 section 12.4): channel number, data length, data. Read and written in
 * place in the relay's buffers, without allocating.
 */
public final class ChannelData {
    public static final int HEADER_LENGTH = 4;
    /**
     * Channel numbers 0x4000-0x7FFF as RFC 5766 allowed them. RFC 8656 narrows new bindings to
     * 0x4FFF, but clients still pick from the whole range (coturn's uclient does), and the first
     * byte (0x40-0x7F) is what tells ChannelData from STUN.
     */
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x7FFF;

    private ChannelData() {}

    public static boolean isChannelData(int firstByte) {
        return (firstByte & 0xC0) == 0x40;
    }

    public static boolean validNumber(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    public static int channel(ByteBuffer b, int start) {
        return b.getShort(start) & 0xFFFF;
    }

    /**
     * The data length of the ChannelData message in {@code [start, start + received)}, or -1 when
     * the datagram is shorter than its header says. Padding after the data is allowed.
     */
    public static int dataLength(ByteBuffer b, int start, int received) {
        if (received < HEADER_LENGTH) {
            return -1;
        }
        int length = b.getShort(start + 2) & 0xFFFF;
        return HEADER_LENGTH + length <= received ? length : -1;
    }

    public static void writeHeader(ByteBuffer b, int at, int channel, int length) {
        b.putShort(at, (short) channel);
        b.putShort(at + 2, (short) length);
    }
}
