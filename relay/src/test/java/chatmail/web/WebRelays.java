package chatmail.web;

import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import chatmail.tls.CertificateNames;
import chatmail.tls.SelfSignedCertificateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import chatmail.config.Config;

/** Test relays for the web tests: a self-signed one (dev mode) and one with "real" certificate files. */
final class WebRelays {

    static final String PUBLIC_DOMAIN = "chat.example";

    private WebRelays() {}

    /**
     * A relay for a public domain, as with ACME or bought certificates: its certificate files are
     * made here (self-signed, which the trust-all test clients accept).
     */
    static TestRelay external(Path dir, Consumer<Config.Builder> adjust) throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        SelfSignedCertificateFiles files = new SelfSignedCertificateFiles(certs, Clock.systemUTC());
        files.loadOrGenerate(PUBLIC_DOMAIN, new CertificateNames(Set.of(PUBLIC_DOMAIN), Set.of()));
        Path data = Files.createDirectories(dir.resolve("data"));
        return TestRelay.start(data, new MutableClock(), b -> {
            b.mailDomain = PUBLIC_DOMAIN;
            b.tlsCertFile = files.certificateFile();
            b.tlsKeyFile = files.keyFile();
            adjust.accept(b);
        });
    }

    static String https(TestRelay relay, String path) {
        return "https://127.0.0.1:" + relay.port("https") + path;
    }

    /** Flat JSON objects of strings, as /new answers; enough to read them without a library. */
    static Map<String, String> json(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String t = text.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        int i = 1;
        while (i < t.length() - 1) {
            char c = t.charAt(i);
            if (c == ',' || Character.isWhitespace(c)) {
                i++;
                continue;
            }
            StringBuilder key = new StringBuilder();
            i = string(t, i, key);
            while (t.charAt(i) != ':') i++;
            i++;
            while (Character.isWhitespace(t.charAt(i))) i++;
            StringBuilder value = new StringBuilder();
            i = string(t, i, value);
            out.put(key.toString(), value.toString());
        }
        return out;
    }

    private static int string(String t, int i, StringBuilder sb) {
        if (t.charAt(i) != '"') {
            throw new IllegalArgumentException("expected a string at " + i + ": " + t);
        }
        i++;
        while (t.charAt(i) != '"') {
            char c = t.charAt(i);
            if (c == '\\') {
                char e = t.charAt(i + 1);
                switch (e) {
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(t.substring(i + 2, i + 6), 16));
                        i += 4;
                    }
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    default -> sb.append(e);
                }
                i += 2;
            } else {
                sb.append(c);
                i++;
            }
        }
        return i + 1;
    }
}
