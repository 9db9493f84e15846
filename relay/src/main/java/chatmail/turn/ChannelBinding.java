package chatmail.turn;

/** A channel (RFC 8656 section 12): a number standing for one peer, until it expires. */
final class ChannelBinding {
    final int number;
    final Peer peer;
    long expiresAt;

    ChannelBinding(int number, Peer peer, long expiresAt) {
        this.number = number;
        this.peer = peer;
        this.expiresAt = expiresAt;
    }
}
