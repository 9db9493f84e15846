package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayStartTest {

    @Test
    void relayStartsGreetsOnSmtpAndStopsReleasingPorts(@TempDir Path dir) throws Exception {
        int port;
        try (TestRelay relay = TestRelay.start(dir)) {
            port = relay.port("smtp");
            try (Socket s = new Socket("127.0.0.1", port);
                    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
                assertThat(in.readLine()).isEqualTo("220 chatmail.localhost ESMTP chatmail");
            }
            assertThat(dir.resolve("chatmail.sqlite")).exists();
        }
        // Closed: the port no longer accepts.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                .isInstanceOf(java.net.ConnectException.class);
    }
}
