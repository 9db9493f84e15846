package chatmail;

import chatmail.account.LoginVerifiers;
import chatmail.acme.FileAcmeState;
import chatmail.config.Config;
import chatmail.dkim.DkimKeyFiles;
import chatmail.files.PrivateFiles;
import chatmail.store.sqlite.SqliteSideConnection;
import chatmail.tls.SelfSignedCertificateFiles;
import chatmail.turn.TurnSecretFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of SEC-6: {@code data_dir}, the database, every key and secret the relay
 * keeps (DKIM, TLS, ACME, {@code turn_secret}) and the directories of mail in transit should be
 * its user's alone. What others may read is a warning naming the file (files from an
 * older version, a restored backup, a hand-made key); the relay does not change modes itself,
 * because a directory shared on purpose (backups by another user) is the operator's choice.
 *
 * <p>The key of {@code tls_external_cert_and_key} belongs to the operator's certificate tooling,
 * where a group such as Debian's {@code ssl-cert} may read keys on purpose: it is reported only
 * when every user may read it.
 */
public final class PrivateFilesCheck {

    private static final Logger log = LoggerFactory.getLogger(PrivateFilesCheck.class);

    private PrivateFilesCheck() {}

    /** Logs one warning per file others may read; returns the warnings. */
    public static List<String> run(Config config) {
        List<String> warnings = new ArrayList<>();
        Path dataDir = config.dataDir();
        check(dataDir, false, warnings);
        Path database = dataDir.resolve(SqliteSideConnection.FILE_NAME);
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            check(database.resolveSibling(database.getFileName() + suffix), false, warnings);
        }
        Path dkim = DkimKeyFiles.directory(dataDir);
        check(dkim, false, warnings);
        if (Files.isDirectory(dkim)) {
            try (DirectoryStream<Path> keys = Files.newDirectoryStream(dkim, "*.private")) {
                keys.forEach(key -> check(key, false, warnings));
            } catch (IOException e) {
                warnings.add(dkim + " cannot be listed: " + e.getMessage());
            }
        }
        SelfSignedCertificateFiles selfSigned = new SelfSignedCertificateFiles(dataDir, Clock.systemUTC());
        check(selfSigned.keyFile().getParent(), false, warnings);
        check(selfSigned.keyFile(), false, warnings);
        FileAcmeState acme = new FileAcmeState(dataDir);
        check(acme.directory(), false, warnings);
        check(acme.accountKeyFile(), false, warnings);
        check(acme.keyFile(), false, warnings);
        check(new TurnSecretFile(dataDir).file(), false, warnings);
        check(dataDir.resolve(LoginVerifiers.KEY_FILE), false, warnings);
        // Mail on its way: bodies arriving (tmp/) and large queued bodies (queue/).
        check(dataDir.resolve("tmp"), false, warnings);
        check(dataDir.resolve("queue"), false, warnings);
        if (config.tlsKeyFile() != null) {
            check(config.tlsKeyFile(), true, warnings);
        }
        warnings.forEach(log::warn);
        return warnings;
    }

    private static void check(Path path, boolean onlyWorldReadable, List<String> warnings) {
        if (!Files.exists(path)) {
            return;
        }
        try {
            var mode = onlyWorldReadable ? PrivateFiles.modeOpenToEveryone(path) : PrivateFiles.modeOpenToOthers(path);
            mode.ifPresent(m -> warnings.add(path + " is open to other users (mode " + m + "); chmod "
                    + (Files.isDirectory(path) ? "700" : "600") + " it"));
        } catch (IOException e) {
            warnings.add(path + " cannot be checked: " + e.getMessage());
        }
    }
}
