package chatmail.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The child process of {@link AcceptBackoffTest}: one real {@link TcpListener} whose handler
 * greets each connection and holds it open, so connections use up file descriptors. Reads
 * commands on stdin: {@code failures} prints the failed accepts so far, {@code release} closes
 * every held connection.
 */
public final class AcceptBackoffProbe {
    public static void main(String[] args) throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        TcpListener listener = new TcpListener("probe", InetAddress.getLoopbackAddress(), 0, (socket, busy) -> {
            socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            released.await();
        });
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            System.out.println("port " + listener.port() + " fds " + fds.count());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line) {
                case "failures" -> System.out.println("failures " + listener.failedAccepts());
                case "release" -> {
                    released.countDown();
                    System.out.println("released");
                }
                default -> System.out.println("unknown " + line);
            }
        }
        listener.close();
    }
}
