package chatmail.imap;

import chatmail.config.Config;
import chatmail.turn.TurnAnnouncement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server entries of METADATA on mailbox {@code ""} (SPEC IMAP-5), computed when asked: TURN
 * credentials expire, and the app versions file may change while the relay runs.
 */
public final class ServerMetadata {
    private static final Logger log = LoggerFactory.getLogger(ServerMetadata.class);

    static final String ADMIN = "/shared/admin";
    static final String COMMENT = "/shared/comment";
    static final String IROH_RELAY = "/shared/vendor/deltachat/irohrelay";
    static final String TURN = "/shared/vendor/deltachat/turn";
    static final String MAX_SMTP_RECIPIENTS = "/shared/vendor/deltachat/maxsmtprecipients";
    static final String APP_VERSIONS = "/shared/vendor/deltachat/appversions";
    /** At most this many recipients per message (SMTP-4). */
    static final int MAX_RECIPIENTS = 1000;

    private final Config config;
    private final Clock clock;
    private final Optional<TurnAnnouncement> turn;
    private Path cachedFile;
    private FileTime cachedTime;
    private String cachedVersions;

    /** @param turn the TURN server METADATA announces (TURN-1); empty: NIL */
    public ServerMetadata(Config config, Clock clock, Optional<TurnAnnouncement> turn) {
        this.config = config;
        this.clock = clock;
        this.turn = turn;
    }

    /** Every server entry in a fixed order, with null for those that have no configured value. */
    public Map<String, String> entries() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(ADMIN, config.privacyMail() == null ? null : "mailto:" + config.privacyMail());
        entries.put(COMMENT, null);
        entries.put(IROH_RELAY, config.irohRelay());
        entries.put(TURN, turn());
        entries.put(MAX_SMTP_RECIPIENTS, Integer.toString(MAX_RECIPIENTS));
        entries.put(APP_VERSIONS, appVersions());
        return entries;
    }

    private String turn() {
        return turn.map(t -> TurnCredentials.entry(t.server(), t.secret(),
                clock.instant().plus(config.turnCredentialLifetime()))).orElse(null);
    }

    /** The JSON of appversions_file on one line; re-read when the file changes. */
    private synchronized String appVersions() {
        Path file = config.appversionsFile();
        if (file == null) {
            return null;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!file.equals(cachedFile) || !modified.equals(cachedTime)) {
                cachedVersions = oneLine(Files.readString(file));
                cachedFile = file;
                cachedTime = modified;
            }
            return cachedVersions;
        } catch (IOException e) {
            log.warn("cannot read appversions_file: {}", e.toString());
            return null;
        }
    }

    /** Drops JSON white space outside strings, so the value fits one line. */
    static String oneLine(String json) {
        StringBuilder sb = new StringBuilder(json.length());
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\r' || c == '\n') {
                    continue;
                }
                sb.append(c);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                sb.append(c);
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
