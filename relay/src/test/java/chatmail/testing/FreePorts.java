package chatmail.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Port numbers free for TCP on 127.0.0.1 right now, for tests that must configure a fixed port
 * (an external program such as Pebble connects to it). Distinct within one call.
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static int[] take(int count) throws IOException {
        Set<Integer> seen = new HashSet<>();
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            int port;
            do {
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
            } while (!seen.add(port));
            ports[i] = port;
        }
        return ports;
    }
}
