package chatmail.push;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.sqlite.SqliteMailStore;
import chatmail.store.sqlite.SqliteSideConnection;
import chatmail.testing.MutableClock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push queue's statements (every SQL constant of {@link SqlitePushQueueStore}) search by
 * index: a delivery's enqueue and the worker's reads do not grow with the number of accounts.
 */
class PushQueuePlanTest {

    @TempDir
    Path dir;

    @Test
    void noPushQueueStatementScansTheTable() throws Exception {
        SqliteMailStore.open(dir, new MutableClock()).close();
        Map<String, List<String>> scans = new TreeMap<>();
        int checked = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteSideConnection.FILE_NAME))) {
            for (Field field : SqlitePushQueueStore.class.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class) {
                    continue;
                }
                String sql = (String) field.get(null);
                checked++;
                List<String> plan = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                    while (rows.next()) {
                        plan.add(rows.getString("detail"));
                    }
                }
                // The queue's size is a gauge over the whole queue by definition.
                if (!field.getName().equals("SIZE") && plan.stream().anyMatch(chatmail.store.sqlite.QueryPlanTest::readsWholeTable)) {
                    scans.put(field.getName(), plan);
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
        assertThat(scans).isEmpty();
    }
}
