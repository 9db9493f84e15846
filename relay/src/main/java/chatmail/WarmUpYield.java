package chatmail;

import chatmail.delivery.MessagePipeline;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The warm-up's pause before its last step while real messages arrive. Right after a restart the
 * first message and the warm-up ran at the same time on nearly every restart the federation
 * bench traced (docs/benchmarks.md, "Federation", "Sixth pass"), on a machine whose cores both
 * were busy: the warm-up then only competed with the message for the CPU. A message warms what it
 * passes through; the step can wait until messages have stopped arriving for a while, and under
 * steady traffic it waits until the relay stops.
 */
final class WarmUpYield {
    /** Long enough for a message to be stored or handed to the next relay on a busy machine. */
    static final Duration QUIET = Duration.ofSeconds(1);

    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final List<LongSupplier> lastBodyStarted;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final long quietNanos;

    WarmUpYield(List<LongSupplier> lastBodyStarted, LongSupplier nanoTime, Sleeper sleeper, Duration quiet) {
        this.lastBodyStarted = List.copyOf(lastBodyStarted);
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.quietNanos = quiet.toNanos();
    }

    /** For the pipelines of a running relay. */
    static WarmUpYield to(MessagePipeline... pipelines) {
        return new WarmUpYield(Arrays.stream(pipelines).<LongSupplier>map(p -> p::lastBodyStarted).toList(),
                System::nanoTime, nanos -> Thread.sleep(Duration.ofNanos(nanos)), QUIET);
    }

    /** Returns once no message body has started for {@link #QUIET}; at once when none ever did. */
    void awaitQuiet() throws InterruptedException {
        while (true) {
            long latest = MessagePipeline.NEVER;
            for (LongSupplier source : lastBodyStarted) {
                long started = source.getAsLong();
                if (started != MessagePipeline.NEVER && (latest == MessagePipeline.NEVER || started - latest > 0)) {
                    latest = started;
                }
            }
            if (latest == MessagePipeline.NEVER) {
                return;
            }
            long left = quietNanos - (nanoTime.getAsLong() - latest);
            if (left <= 0) {
                return;
            }
            sleeper.sleep(left);
        }
    }
}
