package chatmail.bench.turn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** coturn's {@code turnutils_peer}: echoes UDP on a port and the one after it. */
final class EchoPeerProcess implements AutoCloseable {
    static final Path PROGRAM = Path.of("/usr/bin/turnutils_peer");

    private final Process process;

    private EchoPeerProcess(Process process) {
        this.process = process;
    }

    static EchoPeerProcess start(String host, int port) throws IOException {
        Process p = new ProcessBuilder(List.of(PROGRAM.toString(), "-L", host, "-p", Integer.toString(port)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
            s.setSoTimeout(100);
            for (int i = 0; i < 300 && p.isAlive(); i++) {
                s.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getByName(host), port));
                try {
                    s.receive(new DatagramPacket(new byte[16], 16));
                    return new EchoPeerProcess(p);
                } catch (SocketTimeoutException notYet) {
                    // still starting
                }
            }
        }
        p.destroyForcibly();
        throw new IOException("turnutils_peer did not echo on " + host + ":" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
