package chatmail.web;

import chatmail.delivery.inbound.MxDelivReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * {@code POST /mxdeliv} (SPEC DLV-4): mail from another chatmail relay over HTTPS. The HTTP
 * side hands the method, the headers and then the body stream to {@link MxDelivReceiver}; every
 * decision is the inbound pipeline's. No buffer is sized from Content-Length (SEC-1), and the
 * body is not read at all when the recipients or the announced length already decide.
 */
final class MxDelivEndpoint {

    private final MxDelivReceiver receiver;

    MxDelivEndpoint(MxDelivReceiver receiver) {
        this.receiver = receiver;
    }

    Reply handle(Request request) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
        }
        long declared = request.getLength();
        MxDelivReceiver.Response r = switch (receiver.start(request.getMethod(), headers,
                declared >= 0 ? OptionalLong.of(declared) : OptionalLong.empty())) {
            case MxDelivReceiver.Answered a -> a.response();
            case MxDelivReceiver.ReadBody read -> {
                // Handlers run on virtual threads, so a blocking read costs no platform thread.
                try (InputStream in = Content.Source.asInputStream(request)) {
                    yield receiver.finish(read.recipients(), in);
                }
            }
        };
        return Reply.text(r.status(), Reply.TEXT, r.body());
    }
}
