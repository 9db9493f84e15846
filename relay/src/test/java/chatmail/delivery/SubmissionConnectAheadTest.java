package chatmail.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.delivery.outbound.ConnectAhead;
import chatmail.policy.RateLimiter;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A submission's remote recipient starts the way to its domain when it is named, a local one does not. */
class SubmissionConnectAheadTest {

    @TempDir
    Path dir;

    @Test
    void theDomainOfEachRemoteRecipientIsPreparedAsItIsNamed() throws Exception {
        MutableClock clock = new MutableClock();
        try (TestRelay test = TestRelay.start(dir, clock, b -> { })) {
            var relay = test.relay();
            List<String> prepared = new CopyOnWriteArrayList<>();
            Semaphore preparations = new Semaphore(0);
            SubmissionPipeline pipeline = new SubmissionPipeline(relay.config(), clock, relay.spool(), relay.metrics(),
                    relay.localDelivery(), RateLimiter.fromConfig(relay.config(), clock), relay.dkimSigner(),
                    new BounceBuilder(relay.config().addressDomain(), clock), relay.outbound(),
                    new ConnectAhead(domain -> {
                        prepared.add(domain);
                        preparations.release();
                    }));
            String local = TestRelay.address("alice0001");
            relay.accounts().login(local, "correct-horse-battery").orElseThrow();

            assertThat(pipeline.recipient(local)).isInstanceOf(RecipientCheck.Local.class);
            assertThat(pipeline.recipient("Bob@Elsewhere.Test")).isInstanceOf(RecipientCheck.Remote.class);
            assertThat(preparations.tryAcquire(30, TimeUnit.SECONDS)).as("prepared").isTrue();
            assertThat(pipeline.recipient("carol@third.test")).isInstanceOf(RecipientCheck.Remote.class);
            assertThat(preparations.tryAcquire(30, TimeUnit.SECONDS)).as("prepared").isTrue();
            assertThat(prepared).containsExactly("elsewhere.test", "third.test");
        }
    }
}
