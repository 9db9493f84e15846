package chatmail.web;

import static chatmail.web.WebRelays.https;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WEB-1 in self-signed mode: the index page's QR code is a working login for this relay. */
class SelfSignedInviteTest {

    private static final Pattern QR = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    @Test
    void theIndexQrCodeLogsInOverSubmissionAndCreatesTheAccount(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            HttpResponse<String> page = WebClients.get(https(relay, "/"));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("cache-control")).hasValue("no-store");
            Matcher m = QR.matcher(page.body());
            assertThat(m.find()).as("inline QR image in %s", page.body()).isTrue();
            String link = QrDecoding.decodePng(Base64.getDecoder().decode(m.group(1)));

            assertThat(link).startsWith("dclogin:").contains("&v=1&ic=3");
            assertThat(page.body()).contains("href=\"" + link.replace("&", "&amp;") + "\"");
            String email = link.substring("dclogin:".length(), link.indexOf('?'));
            Map<String, String> q = query(link.substring(link.indexOf('?') + 1));
            assertThat(q).containsEntry("is", "ssl").containsEntry("ss", "ssl")
                    .containsEntry("sh", "127.0.0.1")
                    .containsEntry("sp", Integer.toString(relay.port("submissions")));
            assertThat(relay.relay().store().findAccount(email)).isEmpty();

            // Delta Chat connects to sh:sp, here 127.0.0.1 and the bound submissions port.
            try (SSLSocket tls = WebClients.tls(null, Integer.parseInt(q.get("sp")), List.of(), List.of("TLSv1.3"));
                    SmtpProbe smtp = new SmtpProbe(tls)) {
                assertThat(smtp.login(email, q.get("p"))).startsWith("235");
            }
            assertThat(relay.relay().store().findAccount(email)).isPresent();
        }
    }

    @Test
    void eachVisitShowsAnotherLoginUntilTheRateLimit(@TempDir Path dir) throws Exception {
        try (TestRelay relay = TestRelay.start(dir)) {
            String first = WebClients.get(https(relay, "/")).body();
            String second = WebClients.get(https(relay, "/")).body();
            assertThat(first).isNotEqualTo(second);
            for (int i = 0; i < 3; i++) {
                assertThat(WebClients.get(https(relay, "/")).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> busy = WebClients.get(https(relay, "/"));
            assertThat(busy.statusCode()).isEqualTo(429);
            assertThat(busy.body()).contains("reload").doesNotContain("dclogin:");
            relay.clock().advance(Duration.ofSeconds(1));
            assertThat(WebClients.get(https(relay, "/")).body()).contains("dclogin:");
        }
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

}
