package chatmail.turn;

import chatmail.config.Config;
import java.util.Optional;

/**
 * Which TURN server METADATA announces and the secret its credentials are made with (SPEC
 * TURN-1): {@code turn_server} when set, else our own listener at {@code mail_domain:port}.
 *
 * @param server {@code host:port} as the Delta Chat core reads it (it splits at {@code :})
 */
public record TurnAnnouncement(String server, String secret) {

    /** The operator's own TURN server, when {@code turn_server} is set. */
    public static Optional<TurnAnnouncement> configured(Config config) {
        if (config.turnServer() == null || config.turnSecret() == null) {
            return Optional.empty();
        }
        return Optional.of(new TurnAnnouncement(config.turnServer(), config.turnSecret()));
    }

    /** Our listener, bound to {@code port}. */
    public static TurnAnnouncement ours(Config config, int port, String secret) {
        return new TurnAnnouncement(config.mailDomain() + ":" + port, secret);
    }
}
