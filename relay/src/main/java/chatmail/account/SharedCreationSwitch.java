package chatmail.account;

import chatmail.store.postgresql.PostgresDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The account-creation switch of a relay of several nodes (SCALE-2): a row of
 * {@code shared_settings} that any node's command sets and every node reads at each account it
 * would create, so switching it off takes effect on all nodes with the next attempt.
 */
public final class SharedCreationSwitch implements CreationSwitch {
    private static final String NAME = "account_creation";

    private final PostgresDatabase db;
    private final boolean ownsDatabase;

    /** @param ownsDatabase close the database with the switch (the command's own connection) */
    public SharedCreationSwitch(PostgresDatabase db, boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
    }

    @Override
    public boolean off() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM shared_settings WHERE name = ?")) {
                s.setString(1, NAME);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && "off".equals(rs.getString(1));
                }
            }
        });
    }

    @Override
    public void set(boolean off) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO shared_settings (name, value) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value""")) {
                s.setString(1, NAME);
                s.setString(2, off ? "off" : "on");
                return s.executeUpdate();
            }
        });
    }

    @Override
    public String where() {
        return "the shared PostgreSQL database";
    }

    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }
}
