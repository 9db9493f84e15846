package chatmail.turn.protocol;

/** A datagram that is not a well-formed STUN message or attribute; the server drops it unanswered. */
public final class StunFormatException extends Exception {
    public StunFormatException(String message) {
        super(message);
    }
}
