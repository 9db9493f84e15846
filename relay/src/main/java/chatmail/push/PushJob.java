package chatmail.push;

import java.time.Instant;
import java.util.Optional;

/**
 * One pending notification: a device token of an account to be POSTed to the notify URL.
 *
 * @param attempts failed tries so far
 * @param firstAttemptAt when the first try was made; empty before it (the retry schedule counts
 *     from here)
 * @param generation changes whenever another delivery joins this notification; a try only
 *     finishes the job when the generation is still the one it read
 */
public record PushJob(long id, long accountId, String token, int attempts, Optional<Instant> firstAttemptAt,
        Instant nextAttemptAt, long generation) {

    /** Never shows the token: it is a secret that lets anyone wake the device. */
    @Override
    public String toString() {
        return "PushJob[id=" + id + ", attempts=" + attempts + ", next=" + nextAttemptAt + "]";
    }
}
