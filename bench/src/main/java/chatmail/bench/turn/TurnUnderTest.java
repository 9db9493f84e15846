package chatmail.bench.turn;

import java.net.InetSocketAddress;

/** A TURN server process the bench drives: ours or coturn. */
interface TurnUnderTest extends AutoCloseable {
    String name();

    InetSocketAddress address();

    long pid();

    /** How it was started, for the table's notes. */
    String describe();

    @Override
    void close();
}
