package chatmail.web;

import chatmail.config.Config;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The relay's own web pages (WEB-1), rendered from the configuration: what a visitor reads
 * must match what the relay enforces, so every number comes from {@link Config}.
 */
final class Pages {

    private final Config config;
    private final Template layout = Template.load("layout.html");
    private final Template index = Template.load("index.html");
    private final Template inviteSelfSigned = Template.load("invite-selfsigned.html");
    private final byte[] indexPage;
    private final byte[] infoPage;
    private final byte[] privacyPage;

    Pages(Config config) {
        this.config = config;
        this.indexPage = utf8(indexWith(Template.load("invite.html").render(Map.of(
                "domain", config.mailDomain(),
                "invite_link", Invite.accountLink(config)))));
        this.infoPage = utf8(page("Limits of " + config.mailDomain(), Template.load("info.html").render(numbers())));
        Map<String, String> privacy = new HashMap<>(numbers());
        privacy.put("operator", operator());
        this.privacyPage = utf8(page("Privacy policy of " + config.mailDomain(),
                Template.load("privacy.html").render(privacy)));
    }

    /** The index page with the {@code dcaccount:} invitation. */
    byte[] index() {
        return indexPage;
    }

    /** The index page of a self-signed relay: a fresh login of its own, as link and QR code. */
    byte[] indexWithLogin(String email, String dcloginUrl) {
        String qr = "data:image/png;base64," + Base64.getEncoder().encodeToString(QrCodes.png(dcloginUrl, 6));
        return utf8(indexWith(inviteSelfSigned.render(Map.of(
                "domain", config.mailDomain(),
                "email", email,
                "invite_link", dcloginUrl,
                "qr_data_uri", qr))));
    }

    /** The index page when this client asked for too many logins just now. */
    byte[] indexBusy() {
        return utf8(indexWith(Template.resourceText("invite-busy.html")));
    }

    byte[] info() {
        return infoPage;
    }

    byte[] privacy() {
        return privacyPage;
    }

    private String indexWith(String invite) {
        Map<String, String> values = new HashMap<>(numbers());
        values.put("invite", invite);
        return page(config.mailDomain() + " chatmail relay", index.render(values));
    }

    private String page(String title, String content) {
        return layout.render(Map.of("title", title, "domain", config.mailDomain(), "content", content));
    }

    private Map<String, String> numbers() {
        Map<String, String> v = new HashMap<>();
        v.put("domain", config.mailDomain());
        v.put("send_per_minute", Integer.toString(config.maxUserSendPerMinute()));
        v.put("send_burst", Integer.toString(config.maxUserSendBurstSize()));
        v.put("quota", size(config.maxMailboxSize()));
        v.put("max_message_size", size(config.maxMessageSize()));
        v.put("delete_mails_after", days(config.deleteMailsAfter()));
        v.put("delete_large_after", days(config.deleteLargeAfter()));
        v.put("delete_inactive_users_after", days(config.deleteInactiveUsersAfter()));
        return v;
    }

    private String operator() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("Postal address", config.privacyPostal());
        rows.put("Contact", config.privacyMail());
        rows.put("Data protection officer", config.privacyPdo());
        rows.put("Supervisory authority", config.privacySupervisor());
        StringBuilder sb = new StringBuilder();
        rows.forEach((label, value) -> {
            if (value != null && !value.isBlank()) {
                sb.append("<dt>").append(Template.escape(label)).append("</dt><dd>")
                        .append(Template.escape(value.strip())).append("</dd>\n");
            }
        });
        if (sb.isEmpty()) {
            return Template.resourceText("privacy-no-operator.html");
        }
        return Template.load("privacy-operator.html").render(Map.of("rows", sb.toString()));
    }

    /** Whole days, without a lone number ("1 day", "20 days"). */
    static String days(int n) {
        return n == 1 ? "1 day" : n + " days";
    }

    /** Sizes as people read them: binary units, named MB and GB as most people know them. */
    static String size(long bytes) {
        long gib = 1L << 30;
        long mib = 1L << 20;
        if (bytes >= gib && bytes % gib == 0) {
            return bytes / gib + " GB";
        }
        if (bytes >= mib) {
            long tenths = Math.round(bytes * 10.0 / mib);
            return (tenths % 10 == 0 ? Long.toString(tenths / 10) : (tenths / 10) + "." + (tenths % 10)) + " MB";
        }
        return Math.max(1, Math.round(bytes / 1024.0)) + " KB";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
