package chatmail.turn;

import java.io.IOException;

/**
 * Where the shared secret of the TURN credentials comes from: {@code turn_secret}, or a file made
 * at first start in {@code data_dir}. Relays of several nodes will share it through their
 * database instead; that is one more implementation of this.
 */
public interface TurnSecretSource {
    String secret() throws IOException;
}
