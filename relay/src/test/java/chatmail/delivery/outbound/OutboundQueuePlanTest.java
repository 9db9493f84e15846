package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.sqlite.QueryPlanTest;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteSideConnection;
import chatmail.testing.MutableClock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbound queue's statements (every SQL constant of {@link SqliteOutboundQueueStore}) search
 * by index: each delivery's bookkeeping does not grow with the length of the queue, which a
 * destination that is down makes long.
 */
class OutboundQueuePlanTest {

    /** Statements that read the whole queue on purpose. */
    private static final Set<String> WHOLE_QUEUE = Set.of(
            "SIZE", "SUMMARY", "BY_DESTINATION", // gauges and the status page: the whole queue by definition
            "CLEAR_CLAIMS"); // once, when the store opens

    @TempDir
    Path dir;

    @Test
    void noOutboundQueueStatementScansTheQueue() throws Exception {
        SqliteMailStore.open(dir, new MutableClock()).close();
        Map<String, List<String>> scans = new TreeMap<>();
        int checked = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteSideConnection.FILE_NAME))) {
            for (Field field : SqliteOutboundQueueStore.class.getDeclaredFields()) {
                // SELECT_ENTRIES is the common head of DUE and CLAIM_DUE, not a statement.
                if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class
                        || Modifier.isPrivate(field.getModifiers()) || field.getName().equals("FILE_NAME")) {
                    continue;
                }
                field.setAccessible(true);
                String sql = (String) field.get(null);
                checked++;
                List<String> plan = QueryPlanTest.plan(c, sql);
                if (!WHOLE_QUEUE.contains(field.getName()) && plan.stream().anyMatch(QueryPlanTest::readsWholeTable)) {
                    scans.put(field.getName(), plan);
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(14);
        assertThat(scans).as("statements that read the whole queue, with their plans").isEmpty();
    }
}
