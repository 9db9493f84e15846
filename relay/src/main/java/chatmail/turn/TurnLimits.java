package chatmail.turn;

import java.time.Duration;

/**
 * The TURN server's limits (SPEC TURN-3) and protocol lifetimes (RFC 8656), in one place.
 *
 * @param allocationsPerClient live allocations per client address (an IPv4 address, an IPv6 /64)
 * @param allocations live allocations in all
 * @param bytesPerSecond relayed payload per allocation and direction (5 Mbit/s)
 * @param burstBytes how far a sender may run ahead of {@code bytesPerSecond}
 * @param unauthenticatedBurst requests per client address answered without authentication
 *     (Binding, challenges, refusals) before the rate applies
 * @param unauthenticatedPerSecond the sustained rate of those
 * @param preAuthFactor before authentication a response is at most this many times its request
 * @param preAuthMaxBytes and at most this long
 */
public record TurnLimits(
        int allocationsPerClient,
        int allocations,
        long bytesPerSecond,
        long burstBytes,
        Duration defaultLifetime,
        Duration maxLifetime,
        Duration permissionLifetime,
        Duration channelLifetime,
        Duration nonceLifetime,
        Duration reservationLifetime,
        int unauthenticatedBurst,
        int unauthenticatedPerSecond,
        int preAuthFactor,
        int preAuthMaxBytes,
        int permissionsPerAllocation,
        int channelsPerAllocation) {

    public static TurnLimits standard() {
        return new TurnLimits(10, 1000, 5_000_000 / 8, 5_000_000 / 8 / 4,
                Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMinutes(10), Duration.ofSeconds(30),
                40, 20, 3, 200, 128, 64);
    }
}
