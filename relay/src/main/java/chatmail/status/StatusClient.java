package chatmail.status;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Asks a running relay for its status over the admin endpoint ({@link AdminEndpoint}). */
public final class StatusClient {

    /** The relay's answer, at most this long; a status report is a few hundred bytes. */
    static final int MAX_ANSWER = 64 * 1024;

    private StatusClient() {}

    /**
     * The status text of the relay whose data directory is {@code dataDir}.
     *
     * @throws IOException when no relay answers (not running, or no permission to its socket)
     */
    public static String status(Path dataDir) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(AdminEndpoint.socketPath(dataDir)))) {
            channel.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.US_ASCII)));
            channel.shutdownOutput();
            byte[] answer = Channels.newInputStream(channel).readNBytes(MAX_ANSWER);
            return new String(answer, StandardCharsets.UTF_8);
        }
    }
}
