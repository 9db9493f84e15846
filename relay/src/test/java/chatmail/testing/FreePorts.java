package chatmail.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port numbers free for TCP on 127.0.0.1 right now, for tests that must configure a fixed port
 * (an external program such as Pebble connects to it, or a relay binds it again after a
 * restart). Taken below the kernel's ephemeral range, so no outgoing connection of a test
 * running beside this one can occupy the number between the check and the bind. Distinct
 * within one call.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;

    private FreePorts() {
    }

    public static int[] take(int count) throws IOException {
        int below = ephemeralRangeStart();
        Set<Integer> taken = new HashSet<>();
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = one(below, taken);
        }
        return ports;
    }

    private static int one(int below, Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (!taken.contains(candidate) && bindable(candidate)) {
                taken.add(candidate);
                return candidate;
            }
        }
        throw new IOException("no free port between " + LOWEST + " and " + below + " on 127.0.0.1");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** The first port the kernel hands out for outgoing connections (32768 unless configured). */
    private static int ephemeralRangeStart() {
        try {
            // readAllLines: Files.readString gets only the first byte of a sysctl file on this kernel.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).getFirst().strip();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LOWEST + 1000 ? start : 32768;
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
