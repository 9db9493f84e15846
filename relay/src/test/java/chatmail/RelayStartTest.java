package chatmail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aPortInUseFailsTheStartNamingItAndReleasesWhatWasStarted(@TempDir Path dir) throws Exception {
        int smtpPort;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            smtpPort = free.getLocalPort();
        }
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int taken = squatter.getLocalPort();
            Config.Builder b = Config.builder(TestRelay.DOMAIN);
            b.dataDir = dir;
            b.listenAddresses = List.of("127.0.0.1");
            b.smtpPort = smtpPort;
            b.submissionPort = taken;
            b.submissionsPort = 0;
            var options = new Relay.Options(new MutableClock(), ResourceProbe.ample(), false, true);

            assertThatThrownBy(() -> Relay.start(b.build(), options))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("submission on 127.0.0.1 port " + taken);
        }
        // The MX listener opened before the failure is closed again, and so is the store.
        assertThatThrownBy(() -> new Socket("127.0.0.1", smtpPort).close()).isInstanceOf(ConnectException.class);
        try (var store = SqliteMailStore.open(dir, Clock.systemUTC())) {
            assertThat(store.accountCount()).isZero();
        }
    }

    @Test
    void closingTwiceIsHarmless(@TempDir Path dir) throws Exception {
        TestRelay relay = TestRelay.start(dir);
        int port = relay.port("submissions");
        relay.close();
        relay.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
}
