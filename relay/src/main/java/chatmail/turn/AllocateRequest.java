package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.StunWriter;
import chatmail.turn.protocol.Values;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.DatagramChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * Allocate (RFC 8656 section 7.2): a relay socket for the client's 5-tuple, with EVEN-PORT and
 * RESERVATION-TOKEN, within the quotas of SPEC TURN-3.
 */
final class AllocateRequest {
    private AllocateRequest() {}

    static byte[] handle(TurnState s, TurnRequest r) throws IOException {
        var m = r.message();
        Allocation existing = r.allocation();
        if (existing != null) {
            // A retransmission gets the same answer; anything else on this 5-tuple is a mismatch.
            return m.sameTransaction(existing.createTransaction) && existing.createResponse != null
                    ? existing.createResponse : r.error(Responses.ALLOCATION_MISMATCH);
        }
        StunAttribute transport = m.first(Attribute.REQUESTED_TRANSPORT);
        StunAttribute evenPort = m.first(Attribute.EVEN_PORT);
        StunAttribute token = m.first(Attribute.RESERVATION_TOKEN);
        StunAttribute family = m.first(Attribute.REQUESTED_ADDRESS_FAMILY);
        boolean even;
        boolean reserve;
        boolean ipv4;
        long reservationToken;
        Long requestedLifetime;
        try {
            requestedLifetime = RefreshRequest.requestedLifetime(m.first(Attribute.LIFETIME));
            if (transport == null) {
                return r.error(Responses.BAD_REQUEST);
            }
            if (Values.firstOfFour(transport) != Attribute.TRANSPORT_UDP) {
                return r.error(Responses.UNSUPPORTED_TRANSPORT);
            }
            if (token != null && (evenPort != null || family != null)) {
                return r.error(Responses.BAD_REQUEST);
            }
            even = evenPort != null;
            reserve = even && Values.evenPortReserve(evenPort);
            reservationToken = token == null ? 0 : Values.reservationToken(token);
            int requestedFamily = family == null ? Attribute.FAMILY_IPV4 : Values.firstOfFour(family);
            if (requestedFamily != Attribute.FAMILY_IPV4 && requestedFamily != Attribute.FAMILY_IPV6) {
                return r.error(Responses.ADDRESS_FAMILY_NOT_SUPPORTED);
            }
            ipv4 = requestedFamily == Attribute.FAMILY_IPV4;
        } catch (StunFormatException e) {
            return r.error(Responses.BAD_REQUEST);
        }
        long clientKey = ClientKey.of(r.client().getAddress());
        if (s.allocationsOf(clientKey) >= s.limits.allocationsPerClient()) {
            return r.error(Responses.ALLOCATION_QUOTA_REACHED);
        }
        if (s.allocationCount() >= s.limits.allocations()) {
            return r.error(Responses.INSUFFICIENT_CAPACITY);
        }
        DatagramChannel relay;
        DatagramChannel next = null;
        if (token != null) {
            relay = s.takeReservation(reservationToken, r.now());
            if (relay == null) {
                return r.error(Responses.INSUFFICIENT_CAPACITY);
            }
        } else {
            InetAddress bindAddress = s.relayAddress(r.listener(), ipv4);
            if (bindAddress == null) {
                return r.error(Responses.ADDRESS_FAMILY_NOT_SUPPORTED);
            }
            RelayPorts.Bound bound = s.relayPorts.bind(bindAddress, even, reserve);
            if (bound == null) {
                return r.error(Responses.INSUFFICIENT_CAPACITY);
            }
            relay = bound.channel();
            next = bound.next();
        }
        if (m.has(Attribute.DONT_FRAGMENT)) {
            setDontFragment(relay);
        }
        InetSocketAddress local = (InetSocketAddress) relay.getLocalAddress();
        InetSocketAddress relayed = s.announced(local);
        long lifetime = RefreshRequest.lifetimeSeconds(s.limits, requestedLifetime);
        Allocation a = new Allocation(r.listener(), r.client(), relay, relayed, local, r.username(), r.key(),
                m.transactionId(), r.now() + lifetime * 1000, s.limits.burstBytes(), r.now());
        try {
            s.add(a);
        } catch (IOException e) {
            TurnState.closeQuietly(relay);
            if (next != null) {
                TurnState.closeQuietly(next);
            }
            throw e;
        }
        StunWriter w = r.success()
                .xorAddress(Attribute.XOR_RELAYED_ADDRESS, relayed)
                .u32(Attribute.LIFETIME, lifetime);
        if (next != null) {
            w.attribute(Attribute.RESERVATION_TOKEN, Values.reservationToken(s.newReservation(next, r.now())));
        }
        w.xorAddress(Attribute.XOR_MAPPED_ADDRESS, r.client());
        a.createResponse = r.finish(w);
        return a.createResponse;
    }

    /** Whether relay sockets can set the DF bit, which DONT-FRAGMENT asks for. */
    static boolean dontFragmentSupported() {
        try (DatagramChannel probe = DatagramChannel.open()) {
            return probe.supportedOptions().contains(dontFragmentOption());
        } catch (IOException | LinkageError e) {
            return false;
        }
    }

    private static SocketOption<Boolean> dontFragmentOption() {
        return ExtendedSocketOptions.IP_DONTFRAGMENT;
    }

    private static void setDontFragment(DatagramChannel relay) throws IOException {
        relay.setOption(dontFragmentOption(), true);
    }
}
