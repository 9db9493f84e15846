package chatmail.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration used when no file exists: a relay for {@code chatmail.localhost} on
 * loopback only, on unprivileged ports, with a self-signed certificate and data in
 * {@code ./data}, so {@code chatmail run} works for a developer without root or DNS.
 */
public final class DevConfig {
    public static final String DOMAIN = "chatmail.localhost";

    private DevConfig() {}

    public static Config create(Path workingDir) {
        Config.Builder b = Config.builder(DOMAIN);
        b.listenAddresses = List.of("127.0.0.1");
        b.smtpPort = 2525;
        b.submissionPort = 5587;
        b.submissionsPort = 4465;
        b.imapPort = 1143;
        b.imapsPort = 1993;
        b.httpPort = 8080;
        b.httpsPort = 8443;
        b.turnPort = 13478;
        b.dataDir = workingDir.toAbsolutePath().resolve("data");
        return b.build();
    }
}
