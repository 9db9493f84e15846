package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** METADATA (IMAP-5) and QUOTA (IMAP-6). */
class ImapMetadataQuotaTest {
    static final String ALL_SERVER_ENTRIES = "(/shared/admin /shared/comment /shared/vendor/deltachat/irohrelay "
            + "/shared/vendor/deltachat/turn /shared/vendor/deltachat/maxsmtprecipients /shared/vendor/deltachat/appversions)";

    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void serverEntriesWithEverythingConfigured() throws Exception {
        Path versions = dir.resolve("appversions.json");
        Files.writeString(versions, "{\n  \"android\": \"2.10.0\",\n  \"note\": \"a \\\"quoted\\\" word\"\n}\n");
        fx = ImapFixture.start(dir.resolve("data"), b -> {
            b.privacyMail = "privacy@chatmail.localhost";
            b.irohRelay = "https://iroh.chatmail.localhost";
            b.turnServer = "turn.chatmail.localhost:3478";
            b.turnSecret = "north wind";
            b.turnCredentialLifetime = Duration.ofDays(5);
            b.appversionsFile = versions;
        });
        // turn_server set: that server is announced and ours does not start (TURN-1).
        assertThat(fx.relay.relay().ports()).doesNotContainKey("turn");
        Instant now = fx.relay.clock().instant();
        String expiry = Long.toString(now.plus(Duration.ofDays(5)).getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("north wind".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String password = Base64.getEncoder().encodeToString(mac.doFinal(expiry.getBytes(StandardCharsets.UTF_8)));
        String json = "{\"android\":\"2.10.0\",\"note\":\"a \\\"quoted\\\" word\"}";
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "GETMETADATA \"\" " + ALL_SERVER_ENTRIES)).containsExactly(
                    "* METADATA \"\" (/shared/admin \"mailto:privacy@chatmail.localhost\" /shared/comment NIL "
                            + "/shared/vendor/deltachat/irohrelay \"https://iroh.chatmail.localhost\" "
                            + "/shared/vendor/deltachat/turn \"turn.chatmail.localhost:3478:" + expiry + ":" + password + "\" "
                            + "/shared/vendor/deltachat/maxsmtprecipients \"1000\" "
                            + "/shared/vendor/deltachat/appversions " + ImapTestClient.quote(json) + ")",
                    "a OK Getmetadata completed.");
            // DEPTH infinity below /shared/vendor/deltachat gives all four, MAXSIZE leaves the long ones out.
            List<String> deep = c.command("b", "GETMETADATA (DEPTH infinity MAXSIZE 10) \"\" /shared/vendor/deltachat");
            assertThat(deep).containsExactly(
                    "* METADATA \"\" (/shared/vendor/deltachat/maxsmtprecipients \"1000\")",
                    "b OK [METADATA LONGENTRIES " + ("turn.chatmail.localhost:3478:" + expiry + ":" + password).length()
                            + "] Getmetadata completed.");
        }
    }

    @Test
    void serverEntriesWithNothingConfiguredAreNilButOurOwnTurnServer() throws Exception {
        fx = ImapFixture.start(dir);
        // TURN-1: no turn_server, our listener runs (on a free port in tests) with the secret made
        // at first start in data_dir/turn_secret.
        String secret = Files.readString(dir.resolve("turn_secret")).strip();
        assertThat(secret).hasSizeGreaterThanOrEqualTo(40);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("turn_secret"))))
                .isEqualTo("rw-------");
        String expiry = Long.toString(fx.relay.clock().instant().plus(Duration.ofDays(5)).getEpochSecond());
        String turn = "chatmail.localhost:" + fx.relay.port("turn") + ":" + expiry + ":" + hmac(secret, expiry);
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "GETMETADATA \"\" " + ALL_SERVER_ENTRIES)).containsExactly(
                    "* METADATA \"\" (/shared/admin NIL /shared/comment NIL /shared/vendor/deltachat/irohrelay NIL "
                            + "/shared/vendor/deltachat/turn \"" + turn + "\" /shared/vendor/deltachat/maxsmtprecipients \"1000\" "
                            + "/shared/vendor/deltachat/appversions NIL)",
                    "a OK Getmetadata completed.");
            assertThat(c.command("b", "SETMETADATA \"\" (/shared/comment \"x\")")).containsExactly(
                    "b NO [NOPERM] Server entries are read-only.");
        }
    }

    @Test
    void withOurTurnServerOffAndNoTurnServerTheTurnEntryIsNil() throws Exception {
        fx = ImapFixture.start(dir, b -> b.turnPort = 0);
        assertThat(fx.relay.relay().ports()).doesNotContainKey("turn");
        assertThat(dir.resolve("turn_secret")).doesNotExist();
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "GETMETADATA \"\" /shared/vendor/deltachat/turn")).containsExactly(
                    "* METADATA \"\" (/shared/vendor/deltachat/turn NIL)", "a OK Getmetadata completed.");
        }
    }

    private static String hmac(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deviceTokensSetWithLiteralAndQuotedStringAreKeptSideBySideAndExpire() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "GETMETADATA INBOX /private/devicetoken")).containsExactly(
                    "* METADATA INBOX (/private/devicetoken NIL)", "a OK Getmetadata completed.");
            c.send("b SETMETADATA INBOX (/private/devicetoken {14+}\r\nopenpgp:token1)\r\n");
            assertThat(c.until("b")).containsExactly("b OK Setmetadata completed.");
            fx.relay.clock().advance(Duration.ofDays(30));
            assertThat(c.command("c", "SETMETADATA INBOX (/private/devicetoken \"openpgp:token2\")"))
                    .containsExactly("c OK Setmetadata completed.");
            assertThat(c.command("d", "GETMETADATA INBOX (/private/devicetoken)")).containsExactly(
                    "* METADATA INBOX (/private/devicetoken \"openpgp:token1 openpgp:token2\")", "d OK Getmetadata completed.");
            // token1 was set 30 days earlier: 61 days on it is gone, token2 stays.
            fx.relay.clock().advance(Duration.ofDays(61));
            assertThat(c.command("e", "GETMETADATA INBOX /private/devicetoken")).containsExactly(
                    "* METADATA INBOX (/private/devicetoken \"openpgp:token2\")", "e OK Getmetadata completed.");
            assertThat(c.command("f", "SETMETADATA INBOX (/private/other \"x\")")).containsExactly(
                    "f NO [NOPERM] Only /private/devicetoken on INBOX can be set.");
            assertThat(c.command("g", "SETMETADATA INBOX (/private/devicetoken NIL)")).containsExactly(
                    "g OK Setmetadata completed.");
            assertThat(c.command("h", "GETMETADATA INBOX /private/devicetoken")).containsExactly(
                    "* METADATA INBOX (/private/devicetoken NIL)", "h OK Getmetadata completed.");
        }
        assertThat(fx.relay.relay().store().metadataValues(fx.account.id(), "/private/devicetoken", fx.relay.clock().instant()))
                .isEmpty();
    }

    @Test
    void quotaRootAndUsageInKib() throws Exception {
        fx = ImapFixture.start(dir, b -> b.maxMailboxSize = 500L << 20);
        byte[] m = ("Subject: x\r\n\r\n" + "z".repeat(5000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        fx.deliver(m);
        fx.deliver(m);
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "GETQUOTAROOT INBOX")).containsExactly(
                    "* QUOTAROOT INBOX \"\"",
                    "* QUOTA \"\" (STORAGE " + (2L * m.length / 1024) + " 512000)",
                    "a OK Getquotaroot completed.");
            assertThat(c.command("b", "GETQUOTA \"\"")).containsExactly(
                    "* QUOTA \"\" (STORAGE " + (2L * m.length / 1024) + " 512000)", "b OK Getquota completed.");
            assertThat(c.command("c", "GETQUOTA other")).containsExactly("c NO [NONEXISTENT] No such quota root.");
            assertThat(c.command("d", "SETQUOTA \"\" (STORAGE 1)")).containsExactly(
                    "d NO [NOPERM] Quota limits are set by the server configuration.");
        }
    }
}
