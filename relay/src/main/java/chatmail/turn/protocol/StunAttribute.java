package chatmail.turn.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/** One attribute as it was on the wire: its type and its value without padding. */
public final class StunAttribute {
    private final int type;
    private final byte[] value;

    public StunAttribute(int type, byte[] value) {
        if (type < 0 || type > 0xFFFF || value.length > 0xFFFF) {
            throw new IllegalArgumentException("attribute type or length out of range");
        }
        this.type = type;
        this.value = value.clone();
    }

    public int type() {
        return type;
    }

    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    byte[] valueUnsafe() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute other && other.type == type && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("0x%04x=%s", type, HexFormat.of().formatHex(value));
    }
}
