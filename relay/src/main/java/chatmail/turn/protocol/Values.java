package chatmail.turn.protocol;

import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;

/** Decoders and encoders of the simple attribute values: 32-bit numbers, texts, one-byte flags. */
public final class Values {
    private Values() {}

    public static byte[] u32(long value) {
        return new byte[] {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
    }

    public static long u32(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length != 4) {
            throw new StunFormatException(String.format("attribute 0x%04x is not 4 bytes", a.type()));
        }
        return ((long) (v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }

    /** The first byte of a 4-byte value (REQUESTED-TRANSPORT, REQUESTED-ADDRESS-FAMILY). */
    public static int firstOfFour(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length != 4) {
            throw new StunFormatException(String.format("attribute 0x%04x is not 4 bytes", a.type()));
        }
        return v[0] & 0xFF;
    }

    /** CHANNEL-NUMBER: the number in the first two of four bytes. */
    public static int channelNumber(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length != 4) {
            throw new StunFormatException("CHANNEL-NUMBER is not 4 bytes");
        }
        return ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
    }

    /** EVEN-PORT: whether the R bit asks to reserve the next port as well. */
    public static boolean evenPortReserve(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length != 1) {
            throw new StunFormatException("EVEN-PORT is not 1 byte");
        }
        return (v[0] & 0x80) != 0;
    }

    public static long reservationToken(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length != 8) {
            throw new StunFormatException("RESERVATION-TOKEN is not 8 bytes");
        }
        long t = 0;
        for (byte b : v) {
            t = (t << 8) | (b & 0xFF);
        }
        return t;
    }

    public static byte[] reservationToken(long token) {
        byte[] v = new byte[8];
        for (int i = 7; i >= 0; i--) {
            v[i] = (byte) token;
            token >>>= 8;
        }
        return v;
    }

    /** USERNAME, REALM, NONCE: UTF-8 text of at most {@code maxBytes}. */
    public static String text(StunAttribute a, int maxBytes) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length > maxBytes) {
            throw new StunFormatException(String.format("attribute 0x%04x is longer than %d bytes", a.type(), maxBytes));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            throw new StunFormatException(String.format("attribute 0x%04x is not UTF-8", a.type()));
        }
    }
}
