package chatmail.account;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@code dclogin:} links (SPEC ACC-4): {@code ic=3} tells the client to accept the
 * self-signed certificate; hosts and ports are included when the client cannot guess them.
 */
public final class DcLoginLink {

    private DcLoginLink() {}

    public static String of(String email, String password) {
        return "dclogin:" + email + "?p=" + encode(password) + "&v=1&ic=3";
    }

    public static String withServers(String email, String password, String host, int imapsPort, int submissionsPort) {
        return of(email, password)
                + "&ih=" + encode(host) + "&ip=" + imapsPort + "&is=ssl"
                + "&sh=" + encode(host) + "&sp=" + submissionsPort + "&ss=ssl";
    }

    /** Percent-encoding for a URI query value: everything outside unreserved characters. */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }
}
