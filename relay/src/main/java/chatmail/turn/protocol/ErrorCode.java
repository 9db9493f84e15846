package chatmail.turn.protocol;

import java.nio.charset.StandardCharsets;

/** ERROR-CODE (RFC 8489 section 14.8): class and number, then a UTF-8 reason phrase. */
public record ErrorCode(int code, String reason) {

    public static byte[] encode(int code, String reason) {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("error codes are 300 to 699");
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[4 + text.length];
        v[2] = (byte) (code / 100);
        v[3] = (byte) (code % 100);
        System.arraycopy(text, 0, v, 4, text.length);
        return v;
    }

    public static ErrorCode decode(StunAttribute a) throws StunFormatException {
        byte[] v = a.valueUnsafe();
        if (v.length < 4) {
            throw new StunFormatException("ERROR-CODE is shorter than 4 bytes");
        }
        int hundreds = v[2] & 0x07;
        int rest = v[3] & 0xFF;
        if (hundreds < 3 || hundreds > 6 || rest > 99) {
            throw new StunFormatException("ERROR-CODE out of range");
        }
        return new ErrorCode(hundreds * 100 + rest, new String(v, 4, v.length - 4, StandardCharsets.UTF_8));
    }
}
