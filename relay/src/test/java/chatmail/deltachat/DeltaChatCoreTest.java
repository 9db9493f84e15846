package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself against the pinned Delta Chat core: the protocol works, errors are
 * reported, and a dying core fails every outstanding call at once instead of hanging the test.
 */
@Tag("deltachat")
class DeltaChatCoreTest {

    @TempDir
    Path dir;

    @Test
    void pinnedCoreAnswersAndReportsErrors() throws Exception {
        try (DeltaChatCore core = DeltaChatCore.start(dir, DcTimeouts.defaults())) {
            JsonNode info = core.call("get_system_info");
            assertThat(info.path("deltachat_core_version").asText()).isEqualTo("v" + DeltaChatRpcBinary.VERSION);

            DeltaChatProfile p = DeltaChatProfile.create(core, "probe");
            assertThat(p.config("bot")).isEqualTo("1");
            assertThat(core.call("is_configured", p.id()).asBoolean()).isFalse();

            assertThatThrownBy(() -> core.call("no_such_method"))
                    .isInstanceOf(JsonRpcClient.RpcErrorException.class)
                    .hasMessageContaining("-32601");
        }
    }

    @Test
    void callsOutstandingWhenTheCoreDiesFailAtOnce() throws Exception {
        DcTimeouts timeouts = new DcTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(5));
        try (DeltaChatCore core = DeltaChatCore.start(dir, timeouts)) {
            int account = core.call("add_account").asInt();
            // Never answered by a live core: the test sleeps for an hour.
            CompletableFuture<JsonNode> sleeping = CompletableFuture.supplyAsync(() -> core.call("sleep", 3600.0));
            ProcessHandle child = ProcessHandle.current().children()
                    .filter(h -> h.info().command().orElse("").endsWith("deltachat-rpc-server"))
                    .findFirst().orElseThrow();
            child.destroyForcibly();

            assertThatThrownBy(() -> sleeping.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(JsonRpcClient.RpcPeerGoneException.class);
            assertThatThrownBy(() -> core.call("get_info", account))
                    .isInstanceOf(JsonRpcClient.RpcPeerGoneException.class);
            // Failed because the core is gone, not because the five minutes ran out.
            assertThatThrownBy(() -> core.events(account).await(0, e -> false, Duration.ofMinutes(5), "nothing"))
                    .isInstanceOf(AssertionError.class).hasMessageStartingWith("waiting for nothing: ")
                    .hasMessageContaining("core");
        }
    }

    @Test
    void unansweredCallTimesOut() throws Exception {
        try (DeltaChatCore core = DeltaChatCore.start(dir, DcTimeouts.defaults())) {
            assertThatThrownBy(() -> core.call(Duration.ofMillis(300), "sleep", 5.0))
                    .isInstanceOf(JsonRpcClient.RpcTimeoutException.class)
                    .hasMessageContaining("sleep");
        }
    }
}
