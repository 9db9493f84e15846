package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VerifiedLoginCacheTest {

    private static final String ADDR = "abcdefghi@chatmail.localhost";

    private final MutableClock clock = new MutableClock();
    private final VerifiedLoginCache cache = new VerifiedLoginCache(clock, Duration.ofHours(1), 3);
    private final String hash = new PasswordHasher().hash("right-password");

    @Test
    void acceptsTheRememberedPasswordAndNeverAnotherOne() {
        assertThat(cache.matches(ADDR, "right-password", hash)).as("nothing remembered yet").isFalse();
        cache.remember(ADDR, "right-password", hash);

        assertThat(cache.matches(ADDR, "right-password", hash)).isTrue();
        assertThat(cache.matches(ADDR, "wrong-password", hash)).isFalse();
        assertThat(cache.matches(ADDR, "right-passwor", hash)).isFalse();
        assertThat(cache.matches(ADDR, "", hash)).isFalse();
        assertThat(cache.matches("otheruser@chatmail.localhost", "right-password", hash)).isFalse();
    }

    @Test
    void aChangedStoredHashInvalidatesTheEntry() {
        cache.remember(ADDR, "right-password", hash);
        String newHash = new PasswordHasher().hash("right-password");

        assertThat(cache.matches(ADDR, "right-password", newHash)).isFalse();
    }

    @Test
    void entriesExpire() {
        cache.remember(ADDR, "right-password", hash);
        clock.advance(Duration.ofMinutes(59));
        assertThat(cache.matches(ADDR, "right-password", hash)).isTrue();
        clock.advance(Duration.ofMinutes(2));
        assertThat(cache.matches(ADDR, "right-password", hash)).isFalse();
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        for (int i = 0; i < 4; i++) {
            cache.remember("user" + i + "@x", "pw", hash);
        }
        assertThat(cache.matches("user0@x", "pw", hash)).isFalse();
        assertThat(cache.matches("user3@x", "pw", hash)).isTrue();
    }

    @Test
    void forgetRemovesTheEntry() {
        cache.remember(ADDR, "right-password", hash);
        cache.forget(ADDR);
        assertThat(cache.matches(ADDR, "right-password", hash)).isFalse();
    }
}
