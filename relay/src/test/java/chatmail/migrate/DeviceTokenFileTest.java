package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.migrate.DeviceTokenFile.DeviceToken;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceTokenFileTest {

    private static List<DeviceToken> parse(String json) throws ReferenceFormatException {
        return DeviceTokenFile.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theCurrentFormHoldsTheTimeOfTheLastSet() throws ReferenceFormatException {
        assertThat(parse("{\"devicetoken\": {\"abc.def\": 1700000000, \"xyz\": 1700000500}}")).containsExactly(
                new DeviceToken("abc.def", Optional.of(Instant.ofEpochSecond(1700000000))),
                new DeviceToken("xyz", Optional.of(Instant.ofEpochSecond(1700000500))));
    }

    @Test
    void theOldListFormHasNoTimes() throws ReferenceFormatException {
        assertThat(parse("{\"devicetoken\": [\"abc\", \"def\", \"abc\"]}")).containsExactly(
                new DeviceToken("abc", Optional.empty()), new DeviceToken("def", Optional.empty()));
    }

    @Test
    void otherKeysAreIgnoredAndNoKeyMeansNoTokens() throws ReferenceFormatException {
        assertThat(parse("{}")).isEmpty();
        assertThat(parse("{\"other\": {\"x\": [1, 2, {\"y\": null}]}, \"devicetoken\": {\"t\": 1.5e9}}"))
                .containsExactly(new DeviceToken("t", Optional.of(Instant.ofEpochSecond(1_500_000_000L))));
    }

    @Test
    void malformedFilesAreRefused() {
        for (String bad : List.of("", "[]", "{", "{\"devicetoken\": \"abc\"}", "{\"devicetoken\": {\"t\": \"1\"}}",
                "{\"devicetoken\": {\"t\": -1}}", "{\"devicetoken\": [1]}", "{\"devicetoken\": [\"a b\"]}",
                "{\"devicetoken\": {\"\": 1}}", "{} {}", "{\"devicetoken\": {\"t\": 1e300}}")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(ReferenceFormatException.class);
        }
    }
}
