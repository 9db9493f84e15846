package chatmail.turn;

import chatmail.config.Config;
import chatmail.metrics.Metrics;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TURN for the relay (SPEC TURN-1): our own server on {@code turn_port} unless the operator
 * names another with {@code turn_server} (then ours stays off, so it cannot collide with a TURN
 * server of theirs on the same machine), and what METADATA announces either way.
 */
public final class TurnService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TurnService.class);

    private final TurnServer server;
    private final Optional<TurnAnnouncement> announcement;

    private TurnService(TurnServer server, Optional<TurnAnnouncement> announcement) {
        this.server = server;
        this.announcement = announcement;
    }

    /**
     * @param ephemeralPorts bind a free port (tests); METADATA announces the bound one
     * @param secrets where the secret comes from when {@code turn_secret} is not set
     */
    public static TurnService start(Config config, Clock clock, Metrics metrics, boolean ephemeralPorts,
                                    TurnSecretSource secrets) throws IOException {
        if (config.turnServer() != null) {
            return new TurnService(null, TurnAnnouncement.configured(config));
        }
        if (config.turnPort() == 0) {
            return new TurnService(null, Optional.empty());
        }
        String secret = config.turnSecret() != null ? config.turnSecret() : secrets.secret();
        TurnServer server = TurnServer.start(settings(config, ephemeralPorts ? 0 : config.turnPort(), secret),
                clock, metrics);
        log.info("turn: our own TURN server on UDP port {} with relay ports {}-{}{}", server.port(),
                config.turnRelayPortMin(), config.turnRelayPortMax(),
                config.turnAllowPrivatePeers() ? "; private peers allowed (turn_allow_private_peers)" : "");
        return new TurnService(server, Optional.of(TurnAnnouncement.ours(config, server.port(), secret)));
    }

    /** The settings of our server for this configuration (TURN-2, TURN-3). */
    static TurnSettings settings(Config config, int port, String secret) throws IOException {
        List<InetAddress> listen = LocalAddresses.expand(config.listenAddresses());
        Set<InetAddress> own = new HashSet<>(LocalAddresses.all());
        own.addAll(listen);
        InetAddress external = config.turnExternalAddress() == null ? null
                : InetAddress.ofLiteral(config.turnExternalAddress());
        if (external != null) {
            own.add(external);
        }
        return new TurnSettings(listen, port, config.turnRelayPortMin(), config.turnRelayPortMax(), external,
                config.turnAllowPrivatePeers(), own, TurnSettings.REALM, secret, TurnLimits.standard());
    }

    /** What METADATA announces: empty means NIL. */
    public Optional<TurnAnnouncement> announcement() {
        return announcement;
    }

    /** The bound UDP port of our server, when it runs. */
    public OptionalInt port() {
        return server == null ? OptionalInt.empty() : OptionalInt.of(server.port());
    }

    /** Our server, when it runs. */
    public Optional<TurnServer> server() {
        return Optional.ofNullable(server);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
