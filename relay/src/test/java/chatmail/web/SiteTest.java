package chatmail.web;

import static chatmail.web.WebRelays.https;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** WEB-1 and WEB-2 on a relay with a public domain: pages, QR codes, autoconfig, MTA-STS, headers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SiteTest {

    TestRelay relay;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        relay = WebRelays.external(dir, b -> {
            b.privacyPostal = "Example Relay e.V.\nMain Street 1\n12345 Town";
            b.privacyMail = "privacy@chat.example";
            b.privacyPdo = "Ada <dpo@chat.example>";
        });
    }

    @AfterAll
    void stop() {
        relay.close();
    }

    @Test
    void indexExplainsTheRelayAndInvitesWithLinkAndQrCode() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(r.body())
                .contains("chat.example")
                .contains("chatmail relay")
                .contains("href=\"dcaccount:https://chat.example/new\"")
                .contains("src=\"/qr.svg\"")
                .contains("20 days")
                .doesNotContain("<script")
                .doesNotContain("{{");
        assertThat(WebClients.get(https(relay, "/index.html")).body()).isEqualTo(r.body());
    }

    @Test
    void theQrCodesSayDcaccountWithTheNewUrl() throws Exception {
        HttpResponse<byte[]> png = WebClients.getBytes(https(relay, "/qr.png"));
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
        assertThat(QrDecoding.decodePng(png.body())).isEqualTo("DCACCOUNT:https://chat.example/new");

        HttpResponse<byte[]> svg = WebClients.getBytes(https(relay, "/qr.svg"));
        assertThat(svg.statusCode()).isEqualTo(200);
        assertThat(svg.headers().firstValue("content-type")).hasValue("image/svg+xml");
        assertThat(QrDecoding.decodeSvg(svg.body())).isEqualTo("DCACCOUNT:https://chat.example/new");
    }

    @Test
    void infoStatesTheLimitsFromTheConfiguration() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/info.html"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("Unencrypted mail cannot be sent or received")
                .contains("60 messages per minute")
                .contains("up to 10 at once")
                .contains("500 MB")
                .contains("30 MB")
                .contains("after 20 days")
                .contains("after 7 days")
                .contains("90 days");
    }

    @Test
    void infoFollowsOtherNumbers(@TempDir Path other) throws Exception {
        try (TestRelay small = WebRelays.external(other, b -> {
            b.deleteMailsAfter = 1;
            b.maxMailboxSize = 2L << 30;
            b.maxUserSendPerMinute = 30;
            b.deleteInactiveUsersAfter = 45;
        })) {
            String body = WebClients.get(https(small, "/info.html")).body();
            assertThat(body).contains("after 1 day,").contains("2 GB").contains("30 messages per minute")
                    .contains("45 days").doesNotContain("20 days");
        }
    }

    @Test
    void privacyShowsTheOperatorFromTheConfigurationEscaped() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/privacy.html"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("Example Relay e.V.\nMain Street 1\n12345 Town")
                .contains("privacy@chat.example")
                .contains("Ada &lt;dpo@chat.example&gt;")
                .doesNotContain("Supervisory authority")
                .contains("No IP addresses in logs");
    }

    @Test
    void privacyWithoutOperatorDetailsSaysSo(@TempDir Path other) throws Exception {
        try (TestRelay anonymous = WebRelays.external(other, b -> { })) {
            assertThat(WebClients.get(https(anonymous, "/privacy.html")).body()).contains("has not published contact details");
        }
    }

    @Test
    void robotsMayIndexNothing() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/robots.txt"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body()).isEqualTo("User-agent: *\nDisallow: /\n");
    }

    @Test
    void autoconfigListsEveryWayInWithTheConfiguredPorts() throws Exception {
        for (String url : List.of(https(relay, SiteHandler.AUTOCONFIG), https(relay, "/mail/config-v1.1.xml"))) {
            HttpResponse<String> r = WebClients.get(url);
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/xml; charset=utf-8");
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(servers(doc, "incomingServer")).containsExactly(
                    "imap chat.example 993 SSL %EMAILADDRESS%",
                    "imap chat.example 143 STARTTLS %EMAILADDRESS%",
                    "imap chat.example 443 SSL %EMAILADDRESS%");
            assertThat(servers(doc, "outgoingServer")).containsExactly(
                    "smtp chat.example 465 SSL %EMAILADDRESS%",
                    "smtp chat.example 587 STARTTLS %EMAILADDRESS%",
                    "smtp chat.example 443 SSL %EMAILADDRESS%");
            assertThat(doc.getElementsByTagName("domain").item(0).getTextContent()).isEqualTo("chat.example");
        }
    }

    @Test
    void autoconfigIsServedOnTheAutoconfigHost() throws Exception {
        WebClients.RawResponse r = WebClients.rawHttps(relay.port("https"),
                "GET /mail/config-v1.1.xml HTTP/1.1\r\nHost: autoconfig.chat.example\r\nConnection: close\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("<port>993</port>").contains("<username>%EMAILADDRESS%</username>");
    }

    @Test
    void autoconfigLeavesOutPortsThatAreOff(@TempDir Path other) throws Exception {
        try (TestRelay fewer = WebRelays.external(other, b -> {
            b.imapPort = 0;
            b.submissionPort = 0;
            b.imapsPort = 1993;
        })) {
            String xml = WebClients.get(https(fewer, SiteHandler.AUTOCONFIG)).body();
            assertThat(xml).doesNotContain("STARTTLS").contains("<port>1993</port>").doesNotContain("<port>993</port>");
        }
    }

    @Test
    void mtaStsPolicyEnforcesTlsToTheDomain() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/.well-known/mta-sts.txt"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body().split("\r\n")).containsExactly(
                "version: STSv1", "mode: enforce", "mx: chat.example", "max_age: 2419200");
    }

    @Test
    void wwwRedirectsToTheDomain() throws Exception {
        WebClients.RawResponse r = WebClients.rawHttps(relay.port("https"),
                "GET /info.html?lang=de HTTP/1.1\r\nHost: www.chat.example\r\nConnection: close\r\n\r\n");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("location")).isEqualTo("https://chat.example:" + relay.port("https") + "/info.html?lang=de");
    }

    @Test
    void unknownPathsAre404AndPagesRefuseOtherMethods() throws Exception {
        assertThat(WebClients.get(https(relay, "/nothing-here")).statusCode()).isEqualTo(404);
        assertThat(WebClients.get(https(relay, "/../etc/passwd")).statusCode()).isIn(400, 404);
        HttpResponse<String> post = WebClients.send("POST", https(relay, "/info.html"));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void pagesCarrySecurityHeadersAndNoServerName() throws Exception {
        HttpResponse<String> r = WebClients.get(https(relay, "/"));
        assertThat(r.headers().firstValue("content-security-policy")).hasValue(SecurityHeaders.CSP);
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(r.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(r.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000");
        assertThat(r.headers().firstValue("server")).isEmpty();
        HttpResponse<String> css = WebClients.get(https(relay, "/style.css"));
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
        // Nothing is loaded from elsewhere: no absolute URLs in the style sheet.
        assertThat(css.body()).doesNotContain("url(").doesNotContain("@import");
    }

    @Test
    void wwwFolderReplacesThePagesButNotTheEndpoints(@TempDir Path other) throws Exception {
        Path www = Files.createDirectories(other.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<h1>Our own relay page</h1>");
        Files.writeString(www.resolve("about.html"), "about us");
        try (TestRelay own = WebRelays.external(other, b -> b.wwwFolder = www)) {
            assertThat(WebClients.get(https(own, "/")).body()).isEqualTo("<h1>Our own relay page</h1>");
            assertThat(WebClients.get(https(own, "/about.html")).body()).isEqualTo("about us");
            assertThat(WebClients.get(https(own, "/info.html")).statusCode()).isEqualTo(404);
            assertThat(WebClients.send("POST", https(own, "/new")).statusCode()).isEqualTo(200);
            assertThat(WebClients.get(https(own, "/.well-known/mta-sts.txt")).body()).contains("mx: chat.example");
            assertThat(WebClients.get(https(own, "/robots.txt")).body()).contains("Disallow: /");
        }
    }

    private static List<String> servers(Document doc, String element) {
        List<String> out = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName(element);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            out.add(e.getAttribute("type") + " " + text(e, "hostname") + " " + text(e, "port") + " "
                    + text(e, "socketType") + " " + text(e, "username"));
        }
        return out;
    }

    private static String text(Element e, String child) {
        return e.getElementsByTagName(child).item(0).getTextContent();
    }
}
