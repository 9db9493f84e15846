package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.Stun;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.StunParser;
import chatmail.turn.protocol.StunWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Answers STUN and TURN requests: Binding for anyone, the TURN methods after authentication.
 * What goes out before authentication obeys SPEC TURN-3: a rate per client address, at most
 * three times the request and 200 bytes. Malformed packets and unknown methods get no answer.
 */
final class TurnRequests {
    private final TurnState state;
    private final Set<Integer> understood;

    TurnRequests(TurnState state, boolean dontFragment) {
        this.state = state;
        Set<Integer> known = new java.util.HashSet<>(Set.of(Attribute.USERNAME, Attribute.MESSAGE_INTEGRITY,
                Attribute.MESSAGE_INTEGRITY_SHA256, Attribute.REALM, Attribute.NONCE, Attribute.LIFETIME,
                Attribute.REQUESTED_TRANSPORT, Attribute.EVEN_PORT, Attribute.RESERVATION_TOKEN,
                Attribute.REQUESTED_ADDRESS_FAMILY, Attribute.XOR_PEER_ADDRESS, Attribute.CHANNEL_NUMBER));
        if (dontFragment) {
            known.add(Attribute.DONT_FRAGMENT);
        }
        this.understood = Set.copyOf(known);
    }

    /** One request datagram from {@code client} on {@code listener}. */
    void handle(TurnListener listener, InetSocketAddress client, byte[] raw, long now) throws IOException {
        StunMessage m;
        try {
            m = StunParser.parse(raw);
        } catch (StunFormatException malformed) {
            return;
        }
        switch (m.method()) {
            case Stun.BINDING -> unauthenticated(listener, client, raw.length, binding(m, client), now);
            case Stun.ALLOCATE, Stun.REFRESH, Stun.CREATE_PERMISSION, Stun.CHANNEL_BIND -> turn(listener, client, m, raw, now);
            default -> { } // an unknown method: silence (TURN-3)
        }
    }

    private void turn(TurnListener listener, InetSocketAddress client, StunMessage m, byte[] raw, long now)
            throws IOException {
        Authenticator.Outcome outcome = state.authenticator.check(m, raw, client.getAddress(), now);
        if (outcome instanceof Authenticator.Rejected rejected) {
            unauthenticated(listener, client, raw.length, rejected.response(), now);
            return;
        }
        Authenticator.Authenticated who = (Authenticator.Authenticated) outcome;
        Allocation existing = listener.allocations.get(client);
        if (existing != null && existing.expiresAt <= now) {
            state.free(existing); // expired, not yet swept: gone for this request too
        }
        TurnRequest r = new TurnRequest(listener, client, m, who.username(), who.key(), now);
        byte[] response = unknownAttributes(r);
        if (response == null) {
            response = switch (m.method()) {
                case Stun.ALLOCATE -> AllocateRequest.handle(state, r);
                case Stun.REFRESH -> RefreshRequest.handle(state, r);
                case Stun.CREATE_PERMISSION -> CreatePermissionRequest.handle(state, r);
                default -> ChannelBindRequest.handle(state, r);
            };
        }
        send(listener, client, response);
    }

    /** 420 with UNKNOWN-ATTRIBUTES when the request has comprehension-required attributes we do not know. */
    private byte[] unknownAttributes(TurnRequest r) {
        List<Integer> unknown = new ArrayList<>();
        for (StunAttribute a : r.message().attributes()) {
            if (Attribute.comprehensionRequired(a.type()) && !understood.contains(a.type()) && !unknown.contains(a.type())) {
                unknown.add(a.type());
            }
        }
        if (unknown.isEmpty()) {
            return null;
        }
        byte[] list = new byte[unknown.size() * 2];
        for (int i = 0; i < unknown.size(); i++) {
            list[2 * i] = (byte) (unknown.get(i) >> 8);
            list[2 * i + 1] = (byte) (int) unknown.get(i);
        }
        StunWriter w = StunWriter.responseTo(r.message(), Stun.ERROR)
                .errorCode(Responses.UNKNOWN_ATTRIBUTE, Responses.reason(Responses.UNKNOWN_ATTRIBUTE))
                .attribute(Attribute.UNKNOWN_ATTRIBUTES, list)
                .messageIntegrity(r.key());
        return Responses.finish(r.message(), w);
    }

    private static byte[] binding(StunMessage m, InetSocketAddress client) {
        return Responses.finish(m, StunWriter.responseTo(m, Stun.SUCCESS).xorAddress(Attribute.XOR_MAPPED_ADDRESS, client));
    }

    /** A reply nobody authenticated: within the client's rate, and small (no amplification). */
    private void unauthenticated(TurnListener listener, InetSocketAddress client, int requestLength, byte[] response,
                                 long now) throws IOException {
        if (!state.unauthenticated.tryAcquire(ClientKey.of(client.getAddress()), now)) {
            return;
        }
        if (response.length > state.limits.preAuthMaxBytes()
                || response.length > (long) requestLength * state.limits.preAuthFactor()) {
            return;
        }
        send(listener, client, response);
    }

    private static void send(TurnListener listener, InetSocketAddress client, byte[] response) throws IOException {
        listener.channel.send(ByteBuffer.wrap(response), client);
    }
}
