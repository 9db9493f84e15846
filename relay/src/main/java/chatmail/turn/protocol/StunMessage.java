package chatmail.turn.protocol;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A parsed STUN message. The attributes are those that count (RFC 8489 section 14.5: after
 * MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT); where MESSAGE-INTEGRITY
 * started is kept so it can be checked against the bytes the message came in.
 *
 * @param integrityOffset where the MESSAGE-INTEGRITY attribute starts in the datagram, -1 if absent
 * @param fingerprinted whether a (valid) FINGERPRINT ended the message
 */
public record StunMessage(int type, byte[] transactionId, List<StunAttribute> attributes, int integrityOffset,
                          boolean fingerprinted) {

    public StunMessage {
        if (transactionId.length != Stun.TRANSACTION_ID_LENGTH) {
            throw new IllegalArgumentException("a transaction ID has 12 bytes");
        }
        transactionId = transactionId.clone();
        attributes = List.copyOf(attributes);
    }

    public int method() {
        return Stun.method(type);
    }

    public int messageClass() {
        return Stun.messageClass(type);
    }

    @Override
    public byte[] transactionId() {
        return transactionId.clone();
    }

    public boolean sameTransaction(byte[] other) {
        return Arrays.equals(transactionId, other);
    }

    /** The first attribute of this type, or null. */
    public StunAttribute first(int attributeType) {
        for (StunAttribute a : attributes) {
            if (a.type() == attributeType) {
                return a;
            }
        }
        return null;
    }

    public boolean has(int attributeType) {
        return first(attributeType) != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunMessage m && m.type == type && Arrays.equals(m.transactionId, transactionId)
                && m.attributes.equals(attributes) && m.integrityOffset == integrityOffset
                && m.fingerprinted == fingerprinted;
    }

    @Override
    public int hashCode() {
        return (type * 31 + Arrays.hashCode(transactionId)) * 31 + attributes.hashCode();
    }

    @Override
    public String toString() {
        return String.format("StunMessage[type=0x%04x, tid=%s, %s, integrity at %d, fingerprint %b]", type,
                HexFormat.of().formatHex(transactionId), attributes, integrityOffset, fingerprinted);
    }
}
