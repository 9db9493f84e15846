package chatmail.store.sqlite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.flywaydb.core.Flyway;

/**
 * Flyway, run only when the database is not already at the migrations this build carries. A
 * restart almost never has one pending, and Flyway costs a few hundred classes and a
 * class-path scan per run (the store and each side connection ran it: three times per start).
 * "Already at" is decided as Flyway's validation would: every migration script present has
 * been applied successfully under its version and name with the same checksum, and nothing
 * else was applied. Anything unexpected (a failed or unknown row, a script this check does not
 * understand, no history table) leaves the decision to Flyway.
 */
final class SchemaMigrations {
    static final String LOCATION = "db/migration";
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

    /** A versioned migration script as Flyway records it in {@code flyway_schema_history}. */
    record Script(String version, String name, int checksum) {}

    private SchemaMigrations() {}

    /** Brings the database at {@code url} up to date; {@code connection} is an open one to it. */
    static void migrate(String url, Connection connection) {
        if (upToDate(connection)) {
            return;
        }
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:" + LOCATION)
                .load()
                .migrate();
    }

    /** True when Flyway would find nothing to do and nothing to complain about. */
    static boolean upToDate(Connection connection) {
        List<Script> available;
        try {
            available = available();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (available == null || available.isEmpty()) {
            return false;
        }
        Map<String, Script> applied = new HashMap<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, script, checksum, success, type FROM flyway_schema_history")) {
            while (rs.next()) {
                if (!rs.getBoolean("success") || !"SQL".equals(rs.getString("type")) || rs.getString("version") == null) {
                    return false;
                }
                applied.put(rs.getString("version"), new Script(rs.getString("version"), rs.getString("script"), rs.getInt("checksum")));
            }
        } catch (SQLException noHistoryYet) {
            return false;
        }
        if (applied.size() != available.size()) {
            return false;
        }
        for (Script script : available) {
            if (!script.equals(applied.get(script.version()))) {
                return false;
            }
        }
        return true;
    }

    /** The versioned scripts in {@link #LOCATION} with Flyway's checksums; null when something else is there. */
    static List<Script> available() throws IOException {
        ClassLoader loader = SchemaMigrations.class.getClassLoader();
        URL location = loader.getResource(LOCATION);
        if (location == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        switch (location.getProtocol()) {
            case "file" -> {
                try (Stream<Path> files = Files.list(Path.of(location.toURI()))) {
                    files.forEach(f -> names.add(f.getFileName().toString()));
                } catch (URISyntaxException e) {
                    return null;
                }
            }
            case "jar" -> {
                JarURLConnection connection = (JarURLConnection) location.openConnection();
                try (JarFile jar = new JarFile(Path.of(connection.getJarFileURL().toURI()).toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    String prefix = LOCATION + "/";
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(prefix) && entry.length() > prefix.length()) {
                            names.add(entry.substring(prefix.length()));
                        }
                    }
                } catch (URISyntaxException | IllegalArgumentException e) {
                    return null;
                }
            }
            default -> {
                return null;
            }
        }
        List<Script> scripts = new ArrayList<>();
        for (String name : names) {
            Matcher m = VERSIONED.matcher(name);
            if (!m.matches() || name.contains("/")) {
                return null;
            }
            try (InputStream in = loader.getResourceAsStream(LOCATION + "/" + name)) {
                if (in == null) {
                    return null;
                }
                scripts.add(new Script(m.group(1).replace('_', '.'), name, checksum(in)));
            }
        }
        return scripts;
    }

    /**
     * Flyway's checksum of a script: CRC-32 over its lines as UTF-8, without line terminators
     * and without a byte order mark.
     */
    static int checksum(InputStream script) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(script, StandardCharsets.UTF_8));
        boolean first = true;
        for (String line; (line = reader.readLine()) != null; ) {
            if (first && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            first = false;
            crc.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }
}
