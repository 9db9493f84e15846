package chatmail.turn.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one STUN message from one datagram (RFC 8489 section 5 and 14): the header with the magic
 * cookie, a length that matches the datagram, attributes that fit with their padding, a
 * MESSAGE-INTEGRITY of 20 bytes, and a FINGERPRINT that is last and correct. Anything else is a
 * {@link StunFormatException}; what the attributes mean is for their decoders.
 */
public final class StunParser {
    /** More attributes than any real request carries; a bound on the work one datagram causes. */
    public static final int MAX_ATTRIBUTES = 64;

    private StunParser() {}

    public static StunMessage parse(byte[] data) throws StunFormatException {
        return parse(data, 0, data.length);
    }

    public static StunMessage parse(byte[] data, int offset, int length) throws StunFormatException {
        if (length < Stun.HEADER_LENGTH) {
            throw new StunFormatException("shorter than a STUN header");
        }
        int type = u16(data, offset);
        if ((type & 0xC000) != 0) {
            throw new StunFormatException("the first two bits are not zero");
        }
        int declared = u16(data, offset + 2);
        if (i32(data, offset + 4) != Stun.MAGIC_COOKIE) {
            throw new StunFormatException("no magic cookie");
        }
        if (declared != length - Stun.HEADER_LENGTH || (declared & 3) != 0) {
            throw new StunFormatException("the length field does not match the datagram");
        }
        byte[] tid = Arrays.copyOfRange(data, offset + 8, offset + Stun.HEADER_LENGTH);
        List<StunAttribute> attributes = new ArrayList<>();
        int integrityOffset = -1;
        boolean fingerprinted = false;
        int position = offset + Stun.HEADER_LENGTH;
        int end = offset + length;
        int count = 0;
        while (position < end) {
            if (fingerprinted) {
                throw new StunFormatException("an attribute after FINGERPRINT");
            }
            if (++count > MAX_ATTRIBUTES) {
                throw new StunFormatException("more than " + MAX_ATTRIBUTES + " attributes");
            }
            if (end - position < 4) {
                throw new StunFormatException("a truncated attribute header");
            }
            int attributeType = u16(data, position);
            int valueLength = u16(data, position + 2);
            int padded = (valueLength + 3) & ~3;
            if (padded > end - position - 4) {
                throw new StunFormatException("an attribute longer than the message");
            }
            int valueStart = position + 4;
            if (attributeType == Attribute.FINGERPRINT) {
                if (valueLength != 4) {
                    throw new StunFormatException("FINGERPRINT is not 4 bytes");
                }
                if (i32(data, valueStart) != Fingerprint.of(data, offset, position - offset)) {
                    throw new StunFormatException("wrong FINGERPRINT");
                }
                fingerprinted = true;
            } else if (integrityOffset >= 0) {
                // RFC 8489 14.5: after MESSAGE-INTEGRITY only these two count; the rest is ignored.
                if (attributeType == Attribute.MESSAGE_INTEGRITY_SHA256) {
                    attributes.add(new StunAttribute(attributeType, Arrays.copyOfRange(data, valueStart, valueStart + valueLength)));
                }
            } else {
                if (attributeType == Attribute.MESSAGE_INTEGRITY) {
                    if (valueLength != MessageIntegrity.LENGTH) {
                        throw new StunFormatException("MESSAGE-INTEGRITY is not 20 bytes");
                    }
                    integrityOffset = position - offset;
                }
                attributes.add(new StunAttribute(attributeType, Arrays.copyOfRange(data, valueStart, valueStart + valueLength)));
            }
            position = valueStart + padded;
        }
        return new StunMessage(type, tid, attributes, integrityOffset, fingerprinted);
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int i32(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
