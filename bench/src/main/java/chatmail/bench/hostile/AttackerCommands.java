package chatmail.bench.hostile;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The attackers of {@code bench hostile} as a process of their own ({@link AttackersProcess}
 * starts it): on the internet the attackers are other machines, and in the bench's JVM their
 * thousands of handshakes and reconnects would stop the legitimate clients' threads and the
 * clock that measures delivery (its garbage collections, its carrier threads), which the relay
 * did not cause. Started with a lower CPU priority, the process takes the cores the relay and
 * the legitimate clients leave.
 *
 * <p>Arguments: host domain password maxMessageSize smoke(true|false) attackKeys(comma-separated, the attacks to run).
 * Commands on stdin, one per line: {@code start}, {@code rows}, {@code counts}, {@code stop}.
 * Answers on stdout: {@code ready} once the attacks are built; {@code started}; for
 * {@code rows} the rows as {@link AttackRows} writes them; {@code counts <connections> <handshakes>} (the
 * process's totals since it began); {@code stopped}.
 */
public final class AttackerCommands {

    private AttackerCommands() {}

    public static void main(String[] args) throws Exception {
        String host = args[0];
        HostileTarget target = new HostileTarget(host, 25, 587, 465, 143, 993, 443, args[1], args[2],
                new chatmail.bench.ClientTls(java.time.Duration.ofSeconds(30)), Long.parseLong(args[3]));
        boolean smoke = Boolean.parseBoolean(args[4]);
        List<String> keys = args.length > 5 && !args[5].isEmpty() ? List.of(args[5].split(",")) : List.of();
        List<Attack> attacks = HostileAttacks.build(target, smoke, keys, null);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        answer(out, "ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = in.readLine()) != null) {
            switch (command) {
                case "start" -> {
                    for (Attack a : attacks) {
                        a.start();
                    }
                    answer(out, "started");
                }
                case "rows" -> {
                    List<Attack.Row> rows = new java.util.ArrayList<>();
                    for (Attack a : attacks) {
                        rows.add(a.row());
                    }
                    answer(out, AttackRows.encode(rows));
                }
                case "counts" -> answer(out, "counts " + AttackSocket.connections() + " " + AttackSocket.handshakes());
                case "stop" -> {
                    for (Attack a : attacks) {
                        a.stop();
                    }
                    answer(out, "stopped");
                    return;
                }
                default -> answer(out, "unknown command " + AttackRows.oneLine(command));
            }
        }
        // The bench went away without a word: end the attacks with it.
        for (Attack a : attacks) {
            a.stop();
        }
    }

    private static void answer(BufferedWriter out, String text) throws IOException {
        out.write(text);
        out.write('\n');
        out.flush();
    }
}
