package chatmail.turn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * coturn's {@code turnutils_peer}: echoes UDP on a port and the port after it (uclient sends
 * RTP to the first, RTCP to the second), on free ports picked now, since other test runs share
 * the machine.
 */
final class EchoPeer implements AutoCloseable {
    private final Process process;
    final String address;
    final int port;

    private EchoPeer(Process process, String address, int port) {
        this.process = process;
        this.address = address;
        this.port = port;
    }

    static EchoPeer start(String address) throws IOException, InterruptedException {
        Uclient.requireInstalled();
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = freePair(address);
            Process p = new ProcessBuilder(List.of(Uclient.PEER.toString(), "-L", address, "-p", Integer.toString(port)))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            EchoPeer peer = new EchoPeer(p, address, port);
            if (peer.echoes()) {
                return peer;
            }
            peer.close(); // someone took a port meanwhile: another pair
        }
        throw new IOException("turnutils_peer did not come up on " + address);
    }

    /** Waits for the echo of a probe on both ports: the peer is up. */
    private boolean echoes() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0))) {
            s.setSoTimeout(200);
            byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
            for (int port : new int[] {this.port, this.port + 1}) {
                boolean answered = false;
                for (int i = 0; i < 100 && !answered && process.isAlive(); i++) {
                    s.send(new DatagramPacket(probe, probe.length, InetAddress.getByName(address), port));
                    try {
                        s.receive(new DatagramPacket(new byte[64], 64));
                        answered = true;
                    } catch (SocketTimeoutException notYet) {
                        // the peer is still starting: send again
                    }
                }
                if (!answered) {
                    return false;
                }
            }
            return true;
        }
    }

    private static int freePair(String address) throws IOException {
        InetAddress a = InetAddress.getByName(address);
        while (true) {
            int port = 20000 + 2 * ThreadLocalRandom.current().nextInt(10000);
            try (DatagramSocket first = new DatagramSocket(new InetSocketAddress(a, port));
                 DatagramSocket second = new DatagramSocket(new InetSocketAddress(a, port + 1))) {
                return port;
            } catch (IOException taken) {
                // try another pair
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
