package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunWriter;

/** The replies of the TURN server, with the reason phrases of RFC 8489 and RFC 8656. */
final class Responses {
    static final int BAD_REQUEST = 400;
    static final int UNAUTHORIZED = 401;
    static final int FORBIDDEN = 403;
    static final int UNKNOWN_ATTRIBUTE = 420;
    static final int ALLOCATION_MISMATCH = 437;
    static final int STALE_NONCE = 438;
    static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    static final int WRONG_CREDENTIALS = 441;
    static final int UNSUPPORTED_TRANSPORT = 442;
    static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    static final int ALLOCATION_QUOTA_REACHED = 486;
    static final int INSUFFICIENT_CAPACITY = 508;

    private Responses() {}

    static String reason(int code) {
        return switch (code) {
            case BAD_REQUEST -> "Bad Request";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            case UNKNOWN_ATTRIBUTE -> "Unknown Attribute";
            case ALLOCATION_MISMATCH -> "Allocation Mismatch";
            case STALE_NONCE -> "Stale Nonce";
            case ADDRESS_FAMILY_NOT_SUPPORTED -> "Address Family not Supported";
            case WRONG_CREDENTIALS -> "Wrong Credentials";
            case UNSUPPORTED_TRANSPORT -> "Unsupported Transport Protocol";
            case PEER_ADDRESS_FAMILY_MISMATCH -> "Peer Address Family Mismatch";
            case ALLOCATION_QUOTA_REACHED -> "Allocation Quota Reached";
            case INSUFFICIENT_CAPACITY -> "Insufficient Capacity";
            default -> "Server Error";
        };
    }

    /** An error response; signed with {@code key} when the request was authenticated. */
    static StunWriter error(StunMessage request, int code, byte[] key) {
        StunWriter w = StunWriter.responseTo(request, Stun.ERROR).errorCode(code, reason(code));
        return key == null ? w : w.messageIntegrity(key);
    }

    /** 401 or 438 with what the client needs for its next try (RFC 8489 section 9.2). */
    static StunWriter challenge(StunMessage request, int code, String realm, String nonce) {
        return StunWriter.responseTo(request, Stun.ERROR).errorCode(code, reason(code))
                .text(Attribute.REALM, realm).text(Attribute.NONCE, nonce);
    }

    /** Ends a response: FINGERPRINT when the request had one (RFC 8489 section 7.3). */
    static byte[] finish(StunMessage request, StunWriter response) {
        return (request.fingerprinted() ? response.fingerprint() : response).toBytes();
    }
}
