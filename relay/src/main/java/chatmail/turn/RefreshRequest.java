package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.Values;

/**
 * Refresh (RFC 8656 section 7.3): a new lifetime, never more than the maximum of SPEC TURN-3;
 * zero deletes the allocation.
 */
final class RefreshRequest {
    private RefreshRequest() {}

    static byte[] handle(TurnState s, TurnRequest r) {
        Allocation a = r.allocation();
        if (a == null) {
            return r.error(Responses.ALLOCATION_MISMATCH);
        }
        if (!a.username.equals(r.username())) {
            return r.error(Responses.WRONG_CREDENTIALS);
        }
        long lifetime;
        try {
            Long requested = requestedLifetime(r.message().first(Attribute.LIFETIME));
            lifetime = requested != null && requested == 0 ? 0 : lifetimeSeconds(s.limits, requested);
        } catch (StunFormatException e) {
            return r.error(Responses.BAD_REQUEST);
        }
        if (lifetime == 0) {
            s.free(a);
        } else {
            a.expiresAt = r.now() + lifetime * 1000;
        }
        return r.finish(r.success().u32(Attribute.LIFETIME, lifetime));
    }

    /** The seconds a LIFETIME attribute asks for; null without one. */
    static Long requestedLifetime(StunAttribute lifetime) throws StunFormatException {
        return lifetime == null ? null : Values.u32(lifetime);
    }

    /** The lifetime granted: the default when none or a shorter one is asked, at most the maximum. */
    static long lifetimeSeconds(TurnLimits limits, Long requested) {
        long defaultSeconds = limits.defaultLifetime().toSeconds();
        long asked = requested == null ? defaultSeconds : requested;
        return Math.min(limits.maxLifetime().toSeconds(), Math.max(defaultSeconds, asked));
    }
}
