package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.LogLines;
import chatmail.testing.TestCa;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-6 as the operator sees it: what a relay creates in {@code data_dir} is its user's alone,
 * and a key or database that others can read is named in a warning at start-up.
 */
class PrivateFilesTest {

    @TempDir
    Path dir;

    @Test
    void aNewRelayCreatesItsDataDirectoryDatabaseAndKeysPrivate() throws Exception {
        Path data = dir.resolve("var").resolve("chatmail");
        try (LogLines log = LogLines.of(PrivateFilesCheck.class);
                TestRelay relay = TestRelay.start(data)) {
            // The DKIM key is made on the first signature; sign once so it exists.
            relay.relay().dkimSigner().sign("From: a@chatmail.localhost\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(log.lines()).as("a fresh relay has nothing to warn about").isEmpty();
            // While the relay runs: SQLite removes its -wal and -shm files when the last connection closes.
            Map<String, String> modes = modes(data);
            assertThat(modes).containsEntry(".", "rwx------")
                    .containsEntry("chatmail.sqlite", "rw-------")
                    .containsEntry("chatmail.sqlite-wal", "rw-------")
                    .containsEntry("dkim", "rwx------")
                    .containsEntry("dkim/opendkim.private", "rw-------")
                    .containsEntry("tls", "rwx------")
                    .containsEntry("tls/key.pem", "rw-------")
                    .containsEntry("turn_secret", "rw-------")
                    .containsEntry("login_verifier_key", "rw-------")
                    .containsEntry("tmp", "rwx------")
                    .containsEntry("queue", "rwx------");
            // SQLite makes -shm when a connection first needs the shared index; whenever it is there, it is private.
            assertThat(modes.getOrDefault("chatmail.sqlite-shm", "rw-------")).isEqualTo("rw-------");
        }
        assertThat(mode(data.getParent())).as("a missing parent of data_dir is created private too").isEqualTo("rwx------");
    }

    @Test
    void keysAndDatabaseThatOthersCanReadAreNamedInAWarning() throws Exception {
        Path data = dir.resolve("data");
        try (TestRelay relay = TestRelay.start(data)) {
            relay.relay().dkimSigner().sign("From: a@chatmail.localhost\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        // As an older version, a restore from backup or a hand-made key would leave them.
        Path tlsKey = data.resolve("tls/key.pem");
        Path dkimKey = data.resolve("dkim/opendkim.private");
        Path database = data.resolve("chatmail.sqlite");
        Path turnSecret = data.resolve("turn_secret");
        Path verifierKey = data.resolve("login_verifier_key");
        Path acme = data.resolve("acme");
        Path acmeAccount = acme.resolve("account.pem");
        Path acmeKey = acme.resolve("key.pem");
        Files.createDirectories(acme, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        Files.writeString(acmeAccount, "not read by this relay");
        Files.writeString(acmeKey, "not read by this relay");
        Files.setPosixFilePermissions(acme, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(acmeAccount, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(acmeKey, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(turnSecret, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(verifierKey, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(tlsKey, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dkimKey, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(database, PosixFilePermissions.fromString("rw-rw-r--"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (LogLines log = LogLines.of(PrivateFilesCheck.class);
                TestRelay relay = TestRelay.start(data)) {
            List<String> expected = List.of(
                    "WARN " + data + " is open to other users (mode rwxr-xr-x); chmod 700 it",
                    "WARN " + database + " is open to other users (mode rw-rw-r--); chmod 600 it",
                    "WARN " + dkimKey + " is open to other users (mode rw-r-----); chmod 600 it",
                    "WARN " + tlsKey + " is open to other users (mode rw-r--r--); chmod 600 it",
                    "WARN " + acme + " is open to other users (mode rwxr-x---); chmod 700 it",
                    "WARN " + acmeAccount + " is open to other users (mode rw-r--r--); chmod 600 it",
                    "WARN " + turnSecret + " is open to other users (mode rw-r-----); chmod 600 it",
                    "WARN " + verifierKey + " is open to other users (mode rw-r--r--); chmod 600 it");
            // SQLite gives its -wal and -shm files (when they exist yet) the database's mode.
            Pattern sqliteFiles = Pattern.compile("WARN " + Pattern.quote(database.toString())
                    + "-(wal|shm) is open to other users \\(mode rw-rw-r--\\); chmod 600 it");
            assertThat(log.lines()).containsAll(expected)
                    .allMatch(line -> expected.contains(line) || sqliteFiles.matcher(line).matches());
            assertThat(mode(tlsKey)).as("the relay warns, it does not change the operator's files").isEqualTo("rw-r--r--");
        }
    }

    @Test
    void anExternalKeyIsReportedOnlyWhenEveryUserCanReadIt() throws Exception {
        Path data = dir.resolve("data");
        Path chain = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        TestCa.create("private files test CA").issue("localhost", TestRelay.DOMAIN).write(chain, key);
        // Debian's ssl-cert group reads keys on purpose: group-readable is the operator's choice.
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        try (LogLines log = LogLines.of(PrivateFilesCheck.class);
                TestRelay relay = TestRelay.start(data, b -> {
                    b.tlsCertFile = chain;
                    b.tlsKeyFile = key;
                })) {
            assertThat(log.lines()).isEmpty();
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        try (LogLines log = LogLines.of(PrivateFilesCheck.class);
                TestRelay relay = TestRelay.start(data, b -> {
                    b.tlsCertFile = chain;
                    b.tlsKeyFile = key;
                })) {
            assertThat(log.lines()).containsExactly("WARN " + key + " is open to other users (mode rw-r--r--); chmod 600 it");
        }
    }

    /** The paths under {@code root} (relative, "." for itself) with their modes; the body fan-out directories left out. */
    private static Map<String, String> modes(Path root) throws IOException {
        Map<String, String> modes = new LinkedHashMap<>();
        try (Stream<Path> paths = Files.walk(root, 2)) {
            for (Path p : paths.toList()) {
                String name = root.equals(p) ? "." : root.relativize(p).toString();
                if (name.startsWith("blobs/")) {
                    continue;
                }
                modes.put(name, mode(p));
            }
        }
        return modes;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
