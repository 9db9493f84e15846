package chatmail.web;

import chatmail.delivery.inbound.MxDelivReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /mxdeliv} (SPEC DLV-4): mail from another chatmail relay over HTTPS. The HTTP
 * side only reads a bounded body and the headers; every decision is {@link MxDelivReceiver}'s.
 */
final class MxDelivEndpoint {

    private final MxDelivReceiver receiver;
    private final long maxMessageSize;

    MxDelivEndpoint(MxDelivReceiver receiver, long maxMessageSize) {
        this.receiver = receiver;
        this.maxMessageSize = maxMessageSize;
    }

    Reply handle(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > maxMessageSize) {
            return tooLarge();
        }
        byte[] body;
        // Handlers run on virtual threads, so a blocking read costs no platform thread.
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxMessageSize + 1));
        }
        if (body.length > maxMessageSize) {
            return tooLarge();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
        }
        MxDelivReceiver.Response r = receiver.handle(request.getMethod(), headers, body);
        return Reply.text(r.status(), Reply.TEXT, r.body());
    }

    private static Reply tooLarge() {
        return Reply.text(413, Reply.TEXT, "552 5.3.4 Message exceeds maximum size");
    }
}
