package chatmail.tls;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP-1 and IMAP-3: bytes a client sends after STARTTLS but before the handshake are
 * discarded, never executed (the CVE-2011-0411 command injection).
 */
class StartTlsTest {
    private static final String PIPELINED = "STARTTLS\r\nINJECTED\r\n";

    @TempDir
    Path dataDir;
    TlsContexts tls;
    final List<String> linesTheServerRead = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createContexts() {
        Config.Builder builder = Config.builder("chatmail.localhost");
        builder.dataDir = dataDir;
        tls = TlsContexts.create(builder.build());
    }

    /** A session that reads commands through its own buffer, as SMTP and IMAP sessions do. */
    @Test
    void bytesBufferedByTheSessionAfterStartTlsAreDropped() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> firstLineOverTls = new CompletableFuture<>();
            CompletableFuture<Integer> bufferedAfterCommand = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket plain = listener.accept()) {
                    plain.setSoTimeout(10_000);
                    BufferedInputStream sessionBuffer = new BufferedInputStream(plain.getInputStream());
                    readLine(sessionBuffer);
                    bufferedAfterCommand.complete(sessionBuffer.available());
                    write(plain.getOutputStream(), "220 2.0.0 Ready to start TLS\r\n");

                    SSLSocket secure = tls.startTls(plain, TlsPolicy.CLIENT);
                    firstLineOverTls.complete(readLine(new BufferedInputStream(secure.getInputStream())));
                    TlsSockets.close(secure);
                } catch (Throwable e) {
                    bufferedAfterCommand.completeExceptionally(e);
                    firstLineOverTls.completeExceptionally(e);
                }
            });

            Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
            client.setSoTimeout(10_000);
            write(client.getOutputStream(), PIPELINED);
            assertThat(clientReadLine(client.getInputStream())).startsWith("220 ");
            SSLSocket secureClient = clientHandshake(client);
            write(secureClient.getOutputStream(), "EHLO after-tls\r\n");

            assertThat(bufferedAfterCommand.get(10, TimeUnit.SECONDS))
                    .as("the session's buffer held the injected line when STARTTLS ran")
                    .isEqualTo("INJECTED\r\n".length());
            assertThat(firstLineOverTls.get(10, TimeUnit.SECONDS)).isEqualTo("EHLO after-tls");
            assertThat(linesTheServerRead).containsExactly("STARTTLS", "EHLO after-tls");
            TlsSockets.close(secureClient);
        }
    }

    /** A session that reads byte by byte leaves the injected bytes in the kernel: they spoil the handshake. */
    @Test
    void bytesStillUnreadAfterStartTlsFailTheHandshake() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket plain = listener.accept()) {
                    plain.setSoTimeout(10_000);
                    readLine(plain.getInputStream());
                    write(plain.getOutputStream(), "220 2.0.0 Ready to start TLS\r\n");
                    SSLSocket secure;
                    try {
                        secure = tls.startTls(plain, TlsPolicy.CLIENT);
                    } catch (IOException e) {
                        outcome.complete("handshake failed");
                        return;
                    }
                    outcome.complete("read over TLS: " + readLine(secure.getInputStream()));
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            });

            try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort())) {
                client.setSoTimeout(10_000);
                write(client.getOutputStream(), PIPELINED);
                assertThat(clientReadLine(client.getInputStream())).startsWith("220 ");

                assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("handshake failed");
                assertThat(linesTheServerRead).containsExactly("STARTTLS");
            }
        }
    }

    private static SSLSocket clientHandshake(Socket plain) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {UnverifiedTrustManager.INSTANCE}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, "chatmail.localhost", plain.getPort(), true);
        socket.startHandshake();
        return socket;
    }

    /** The server reads through here, so the test sees every line it ever got. */
    private String readLine(InputStream in) throws IOException {
        String text = clientReadLine(in);
        linesTheServerRead.add(text);
        return text;
    }

    private static String clientReadLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).stripTrailing();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
