package chatmail.turn;

import chatmail.store.postgresql.PostgresDatabase;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;

/**
 * The TURN secret of a relay of several nodes (SCALE-2), kept in the shared database so every
 * node hands out credentials every other node accepts. The first node to ask makes it; nodes
 * that start at the same moment meet at the row's key and all read the one that won.
 */
public final class SharedTurnSecret implements TurnSecretSource {
    private final PostgresDatabase db;

    public SharedTurnSecret(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public String secret() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return adopt(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
    }

    /**
     * Makes {@code candidate} the secret unless one is stored already; returns the stored one.
     * {@code chatmail move-to-postgresql} hands in a single relay's secret, so credentials that
     * clients hold keep working on every node.
     */
    public String adopt(String candidate) {
        return db.transaction(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO shared_settings (name, value) VALUES ('turn_secret', ?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, candidate);
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT value FROM shared_settings WHERE name = 'turn_secret'");
                    ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        });
    }
}
