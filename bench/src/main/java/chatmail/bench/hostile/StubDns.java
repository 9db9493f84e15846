package chatmail.bench.hostile;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's DNS server during the bench (its {@code dns_resolver}), so that nothing leaves
 * the machine: it answers every query NXDOMAIN at once and remembers the names asked, which is
 * how the bench counts the DKIM key lookups one message causes (SEC-4).
 */
final class StubDns implements AutoCloseable {
    private static final int MAX_NAMES = 1_000_000;

    private final DatagramSocket socket;
    private final List<String> names = new ArrayList<>();
    private final Thread thread;

    StubDns(String address, int port) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(address, port));
        thread = Thread.ofPlatform().daemon().name("stub-dns").start(this::serve);
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
                byte[] answer = nxdomain(buffer, p.getLength());
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    /** The query's header and question back, with QR, RA and RCODE 3; null when it is not a one-question query. */
    private byte[] nxdomain(byte[] q, int length) {
        if (length < 12 || (q[2] & 0x80) != 0 || q[4] != 0 || q[5] != 1) {
            return null;
        }
        int i = 12;
        StringBuilder name = new StringBuilder();
        while (i < length && q[i] != 0) {
            int label = q[i] & 0xff;
            if (label > 63 || i + 1 + label > length) {
                return null;
            }
            name.append(new String(q, i + 1, label, StandardCharsets.US_ASCII)).append('.');
            i += 1 + label;
        }
        int end = i + 5; // zero byte, type, class
        if (end > length) {
            return null;
        }
        synchronized (names) {
            if (names.size() < MAX_NAMES) {
                names.add(name.toString().toLowerCase(java.util.Locale.ROOT));
            }
        }
        byte[] a = java.util.Arrays.copyOf(q, end);
        a[2] = (byte) (0x80 | (q[2] & 0x01)); // QR, keep RD
        a[3] = (byte) 0x83; // RA, NXDOMAIN
        a[6] = a[7] = a[8] = a[9] = a[10] = a[11] = 0;
        return a;
    }

    List<String> names() {
        synchronized (names) {
            return List.copyOf(names);
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
