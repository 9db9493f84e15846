package chatmail.bench.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttackRowsTest {

    private static List<Attack.Row> roundTrip(List<Attack.Row> rows) throws IOException {
        Iterator<String> lines = AttackRows.encode(rows).lines().iterator();
        return AttackRows.decode(lines::next);
    }

    @Test
    void rowsComeBackAsTheyWere() throws IOException {
        List<Attack.Row> rows = List.of(
                new Attack.Row("Connection flood: 55 addresses", "SEC-3: max_smtp_connections = 1000",
                        List.of("3727× (closed by the relay, nothing said)", "12× 421 4.7.0 Too many connections"),
                        List.of("SMTP 25: connections opened: 30235")),
                new Attack.Row("No replies", "(measurement)", List.of(), List.of("a: 1", "b: 2")));
        assertEquals(rows, roundTrip(rows));
    }

    @Test
    void noRowsIsJustTheEnd() throws IOException {
        assertEquals(List.of(), roundTrip(List.of()));
    }

    @Test
    void tabsAndLineEndsInsideATextBecomeSpaces() throws IOException {
        List<Attack.Row> decoded = roundTrip(List.of(new Attack.Row("a\tb", "c\nd", List.of("e\r\nf"), List.of())));
        assertEquals(List.of(new Attack.Row("a b", "c d", List.of("e  f"), List.of())), decoded);
    }

    @Test
    void aStrayLineIsAnError() {
        Iterator<String> lines = List.of("row\ta\tb", "hello", "end").iterator();
        assertThrows(IOException.class, () -> AttackRows.decode(lines::next));
    }
}
