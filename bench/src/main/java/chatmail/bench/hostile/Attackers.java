package chatmail.bench.hostile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The attacks as {@link HostileBench} drives them: in its own JVM ({@link #inProcess}) or in a child process ({@link AttackersProcess}). */
interface Attackers {

    /** TCP connections made and TLS handshakes finished by the attackers since they were built. */
    record Counts(long connections, long handshakes) {
        Counts minus(Counts earlier) {
            return new Counts(connections - earlier.connections, handshakes - earlier.handshakes);
        }
    }

    void start() throws IOException, InterruptedException;

    /** Each attack's row, from what was counted until now. */
    List<Attack.Row> rows() throws IOException, InterruptedException;

    Counts counts() throws IOException, InterruptedException;

    /** The process the attackers run in; the bench's own when in process. */
    long pid();

    /** Where the attackers run, for the report. */
    String description();

    /** Ends every attack and its connections; may be called again. */
    void stop() throws InterruptedException;

    /** The attacks on virtual threads of this JVM, beside the legitimate clients (how the bench ran before). */
    static Attackers inProcess(List<Attack> attacks) {
        return new Attackers() {
            @Override
            public void start() {
                for (Attack a : attacks) {
                    a.start();
                }
            }

            @Override
            public List<Attack.Row> rows() {
                List<Attack.Row> rows = new ArrayList<>();
                for (Attack a : attacks) {
                    rows.add(a.row());
                }
                return rows;
            }

            @Override
            public Counts counts() {
                // The newcomer probe's connections (two a second) are in it too: it shares the JVM.
                return new Counts(AttackSocket.connections(), AttackSocket.handshakes());
            }

            @Override
            public long pid() {
                return ProcessHandle.current().pid();
            }

            @Override
            public String description() {
                return "in the bench's JVM, beside the legitimate clients";
            }

            @Override
            public void stop() throws InterruptedException {
                for (Attack a : attacks) {
                    a.stop();
                }
            }
        };
    }
}
