package chatmail.turn;

import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunWriter;
import java.net.InetSocketAddress;

/**
 * An authenticated request: where it came from, what it says, who sent it (the REST user name)
 * and the key its answer is signed with.
 */
record TurnRequest(TurnListener listener, InetSocketAddress client, StunMessage message, String username, byte[] key,
                   long now) {

    /** The client's allocation on this 5-tuple, or null. */
    Allocation allocation() {
        return listener.allocations.get(client);
    }

    byte[] error(int code) {
        return Responses.finish(message, Responses.error(message, code, key));
    }

    StunWriter success() {
        return StunWriter.responseTo(message, chatmail.turn.protocol.Stun.SUCCESS);
    }

    /** Signs and ends a success response. */
    byte[] finish(StunWriter response) {
        return Responses.finish(message, response.messageIntegrity(key));
    }
}
