package chatmail.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP answer, built by the endpoints without Jetty types so they stay plain functions of
 * their input. {@link SiteHandler} writes it out.
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";
    static final String HTML = "text/html; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply of(int status, String contentType, byte[] body) {
        return new Reply(status, contentType, body, Map.of());
    }

    static Reply text(int status, String contentType, String body) {
        return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static Reply json(int status, Map<String, String> fields) {
        return text(status, JSON, Json.object(fields));
    }

    /** The error shape of every JSON endpoint: {@code {"reason":"…"}}. */
    static Reply jsonError(int status, String reason) {
        return json(status, Map.of("reason", reason));
    }

    static Reply redirect(int status, String location) {
        return new Reply(status, TEXT, ("Moved to " + location + "\n").getBytes(StandardCharsets.UTF_8),
                Map.of("Location", location));
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }
}
