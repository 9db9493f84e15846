package chatmail.turn.protocol;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one STUN message: the header, attributes with their padding, then optionally
 * MESSAGE-INTEGRITY and FINGERPRINT, which cover what was written before them.
 */
public final class StunWriter {
    private final byte[] transactionId;
    private byte[] buffer = new byte[128];
    private int length = Stun.HEADER_LENGTH;

    public StunWriter(int type, byte[] transactionId) {
        if (transactionId.length != Stun.TRANSACTION_ID_LENGTH) {
            throw new IllegalArgumentException("a transaction ID has 12 bytes");
        }
        this.transactionId = transactionId.clone();
        buffer[0] = (byte) (type >> 8);
        buffer[1] = (byte) type;
        putInt(4, Stun.MAGIC_COOKIE);
        System.arraycopy(transactionId, 0, buffer, 8, Stun.TRANSACTION_ID_LENGTH);
    }

    /** A response of class {@code messageClass} to {@code request}: same method, same transaction. */
    public static StunWriter responseTo(StunMessage request, int messageClass) {
        return new StunWriter(Stun.type(request.method(), messageClass), request.transactionId());
    }

    public StunWriter attribute(int type, byte[] value) {
        return attribute(type, value, 0, value.length);
    }

    public StunWriter attribute(int type, byte[] value, int offset, int valueLength) {
        int padded = (valueLength + 3) & ~3;
        ensure(4 + padded);
        buffer[length] = (byte) (type >> 8);
        buffer[length + 1] = (byte) type;
        buffer[length + 2] = (byte) (valueLength >> 8);
        buffer[length + 3] = (byte) valueLength;
        System.arraycopy(value, offset, buffer, length + 4, valueLength);
        Arrays.fill(buffer, length + 4 + valueLength, length + 4 + padded, (byte) 0);
        length += 4 + padded;
        setLengthField(length - Stun.HEADER_LENGTH);
        return this;
    }

    public StunWriter attribute(StunAttribute a) {
        return attribute(a.type(), a.valueUnsafe());
    }

    public StunWriter text(int type, String value) {
        return attribute(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public StunWriter u32(int type, long value) {
        return attribute(type, Values.u32(value));
    }

    public StunWriter xorAddress(int type, InetSocketAddress address) {
        return attribute(type, XorAddress.encode(address, transactionId));
    }

    public StunWriter errorCode(int code, String reason) {
        return attribute(Attribute.ERROR_CODE, ErrorCode.encode(code, reason));
    }

    /** MESSAGE-INTEGRITY over everything written so far. */
    public StunWriter messageIntegrity(byte[] key) {
        int at = length;
        attribute(Attribute.MESSAGE_INTEGRITY, new byte[MessageIntegrity.LENGTH]);
        byte[] hmac = MessageIntegrity.compute(key, buffer, 0, at);
        System.arraycopy(hmac, 0, buffer, at + 4, MessageIntegrity.LENGTH);
        return this;
    }

    /** FINGERPRINT over everything written so far; nothing may follow it. */
    public StunWriter fingerprint() {
        int at = length;
        attribute(Attribute.FINGERPRINT, new byte[4]);
        putInt(at + 4, Fingerprint.of(buffer, 0, at));
        return this;
    }

    public int length() {
        return length;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buffer, length);
    }

    private void setLengthField(int n) {
        buffer[2] = (byte) (n >> 8);
        buffer[3] = (byte) n;
    }

    private void putInt(int at, int v) {
        buffer[at] = (byte) (v >> 24);
        buffer[at + 1] = (byte) (v >> 16);
        buffer[at + 2] = (byte) (v >> 8);
        buffer[at + 3] = (byte) v;
    }

    private void ensure(int more) {
        if (length + more > 0xFFFF + Stun.HEADER_LENGTH) {
            throw new IllegalStateException("a STUN message is at most 65555 bytes");
        }
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
