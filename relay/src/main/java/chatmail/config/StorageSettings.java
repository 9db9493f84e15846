package chatmail.config;

import java.nio.file.Path;

/**
 * Where the relay keeps its state (SPEC SCALE-1): the embedded SQLite store in {@code data_dir}
 * (one node), or a PostgreSQL database that several identical nodes share (SCALE-2).
 *
 * @param postgresqlUrl the JDBC URL ({@code jdbc:postgresql://host:port/db?user=...}); null with sqlite
 * @param postgresqlPasswordFile a file whose first line is the password, so it need not stand in
 *     the URL (and so in {@code chatmail.ini}); null when the URL carries it or none is needed
 */
public record StorageSettings(Kind kind, String postgresqlUrl, Path postgresqlPasswordFile) {

    public enum Kind { SQLITE, POSTGRESQL }

    public static StorageSettings sqlite() {
        return new StorageSettings(Kind.SQLITE, null, null);
    }

    public static StorageSettings postgresql(String url, Path passwordFile) {
        return new StorageSettings(Kind.POSTGRESQL, url, passwordFile);
    }

    /** Never shows the URL, which may carry a password. */
    @Override
    public String toString() {
        return "StorageSettings[" + kind + "]";
    }
}
