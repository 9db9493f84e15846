package chatmail.bench.hostile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The attacks' rows as lines between {@link AttackerCommands} and {@link AttackersProcess}: each
 * row as {@code row\tattack\tlimit}, its {@code reply\t…} and {@code result\t…} lines, and
 * {@code end} after the last row. Tabs and line ends inside a text become spaces.
 */
final class AttackRows {

    /** Where decoding reads its lines from: the next one, or an exception when there is none. */
    @FunctionalInterface
    interface Lines {
        String next() throws IOException;
    }

    private AttackRows() {}

    static String encode(List<Attack.Row> rows) {
        StringBuilder b = new StringBuilder();
        for (Attack.Row r : rows) {
            b.append("row\t").append(oneLine(r.attack())).append('\t').append(oneLine(r.limit())).append('\n');
            r.replies().forEach(x -> b.append("reply\t").append(oneLine(x)).append('\n'));
            r.results().forEach(x -> b.append("result\t").append(oneLine(x)).append('\n'));
        }
        return b.append("end").toString();
    }

    static List<Attack.Row> decode(Lines lines) throws IOException {
        List<Attack.Row> rows = new ArrayList<>();
        String attack = null, limit = null;
        List<String> replies = new ArrayList<>(), results = new ArrayList<>();
        while (true) {
            String line = lines.next();
            if (line.startsWith("row\t") || line.equals("end")) {
                if (attack != null) {
                    rows.add(new Attack.Row(attack, limit, List.copyOf(replies), List.copyOf(results)));
                    replies.clear();
                    results.clear();
                }
                if (line.equals("end")) {
                    return rows;
                }
                String[] f = line.split("\t", 3);
                attack = f[1];
                limit = f.length > 2 ? f[2] : "";
            } else if (line.startsWith("reply\t") && attack != null) {
                replies.add(line.substring(6));
            } else if (line.startsWith("result\t") && attack != null) {
                results.add(line.substring(7));
            } else {
                throw new IOException("not a line of the attacks' rows: " + line);
            }
        }
    }

    static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
