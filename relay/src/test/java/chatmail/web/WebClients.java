package chatmail.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** Test-only clients for the relay's web side: trust-all TLS, because test relays are self-signed. */
final class WebClients {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private WebClients() {}

    /** Accepts any certificate and any host name: only for talking to a test relay. */
    static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpClient http() {
        return HttpClient.newBuilder()
                .sslContext(trustAll())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(TIMEOUT)
                .build();
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http().send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> getBytes(String url) throws Exception {
        return http().send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> send(String method, String url) throws Exception {
        return http().send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A TLS socket to 127.0.0.1:port offering the given ALPN names, handshake done. */
    static SSLSocket tls(int port, List<String> alpn) throws IOException {
        return tls(null, port, alpn, List.of("TLSv1.3", "TLSv1.2"));
    }

    static SSLSocket tls(InetAddress from, int port, List<String> alpn, List<String> protocols) throws IOException {
        Socket plain = new Socket();
        if (from != null) {
            plain.bind(new InetSocketAddress(from, 0));
        }
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
        plain.setSoTimeout((int) TIMEOUT.toMillis());
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory()
                .createSocket(plain, "127.0.0.1", port, true);
        SSLParameters p = socket.getSSLParameters();
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        p.setProtocols(protocols.toArray(String[]::new));
        socket.setSSLParameters(p);
        socket.startHandshake();
        return socket;
    }

    /** A parsed HTTP/1.1 answer. */
    record RawResponse(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends one request exactly as written (CRLFs and all) over TLS and reads the answer to the end. */
    static RawResponse rawHttps(int port, String request) throws IOException {
        try (SSLSocket s = tls(port, List.of())) {
            return exchange(s, request);
        }
    }

    /** The same over plain TCP. */
    static RawResponse rawHttp(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            return exchange(s, request);
        }
    }

    private static RawResponse exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return parse(readAll(s.getInputStream()));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (javax.net.ssl.SSLException e) {
            // Some servers end TLS without close_notify; what arrived is the answer.
        }
        return out.toByteArray();
    }

    static RawResponse parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new RawResponse(status, headers, text.substring(end + 4));
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }

    /** An HTTP answer's status and its body, stripped. */
    record Answer(int status, String body) {}

    /** One HTTP/1.1 answer with a Content-Length, read without waiting for the connection to close. */
    static Answer readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the answer's head: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        int length = 0;
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return new Answer(status, new String(in.readNBytes(length), StandardCharsets.UTF_8).strip());
    }
}
