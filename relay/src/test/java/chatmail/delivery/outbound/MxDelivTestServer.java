package chatmail.delivery.outbound;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/** A tiny HTTPS server with a /mxdeliv handler whose answers a test chooses; it records each request. */
final class MxDelivTestServer implements AutoCloseable {

    record Request(String method, String mailFrom, List<String> mailTo, byte[] body) {}

    record Answer(int status, String body) {}

    private final HttpsServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile Function<Request, Answer> responder = r -> new Answer(200, "250 2.0.0 Ok");

    MxDelivTestServer(SSLContext context) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mxdeliv", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Request request = new Request(exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst("X-MAIL-FROM"),
                    exchange.getRequestHeaders().getOrDefault("X-MAIL-TO", List.of()), body);
            requests.add(request);
            Answer answer = responder.apply(request);
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
