package chatmail.web;

import chatmail.config.Config;
import java.util.Locale;

/** The host names the site answers to and where each is sent (WEB-2). */
final class Hosts {

    private final String domain;

    Hosts(Config config) {
        this.domain = config.mailDomain().toLowerCase(Locale.ROOT);
    }

    String domain() {
        return domain;
    }

    static String normalize(String host) {
        if (host == null) {
            return "";
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    boolean isWww(String host) {
        return normalize(host).equals("www." + domain);
    }

    /**
     * The host a redirect to HTTPS keeps: the names this relay serves stay, {@code www.} and
     * anything unknown become the domain (no open redirects through a forged Host header).
     */
    String canonical(String host) {
        String h = normalize(host);
        if (h.equals(domain) || h.equals("autoconfig." + domain) || h.equals("mta-sts." + domain)) {
            return h;
        }
        return domain;
    }

    /** {@code https://host[:port]}, without the port when it is 443. */
    static String httpsOrigin(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "https://" + h + (port == 443 || port <= 0 ? "" : ":" + port);
    }
}
