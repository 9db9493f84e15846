package chatmail;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives what glibc holds free back to the kernel every few seconds, but only while the relay is
 * quiet: the JVM's own {@code -XX:TrimNativeHeapInterval} trimmed under load too.
 *
 * <p>Under load, what is freed natively is taken again within seconds: the C2 compiler is still
 * compiling new methods minutes into a new kind of load (four compilations a second in the last
 * minute of {@code ./chatmail bench hostile}), HotSpot's pool of arena chunks holds what a
 * compilation used (5-7 MiB) and frees it every 5 s, and a trim then handed those pages back
 * only for the next compilation to fault them in again: RSS moved 5-8 MiB on the trim's 5 s grid
 * (docs/security.md, "RSS flat under attack: trimmed only while quiet"). An idle relay still has
 * what start-up and the last burst freed given back within one interval.
 */
final class NativeHeapTrim {
    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrim.class);

    /** As the launcher's former {@code -XX:TrimNativeHeapInterval=5000}. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    /**
     * Busier than this share of one CPU over an interval, and the relay is under load: an idle relay
     * uses about 1 %, the hostile bench's 200 msg/s without attackers about 45 %.
     */
    static final double BUSY_CPU_SHARE = 0.25;

    private final LongSupplier cpuNanos;
    private final Runnable trim;
    private long lastCpuNanos;

    NativeHeapTrim(LongSupplier cpuNanos, Runnable trim) {
        this.cpuNanos = cpuNanos;
        this.trim = trim;
        this.lastCpuNanos = cpuNanos.getAsLong();
    }

    /**
     * Trims unless the process used more than {@link #BUSY_CPU_SHARE} of a CPU in the
     * {@code elapsedNanos} since the last call; true when it trimmed.
     */
    boolean tick(long elapsedNanos) {
        long cpu = cpuNanos.getAsLong();
        boolean busy = cpu - lastCpuNanos > BUSY_CPU_SHARE * elapsedNanos;
        lastCpuNanos = cpu;
        if (busy) {
            return false;
        }
        trim.run();
        return true;
    }

    /**
     * Starts trimming this process's native heap after {@code warmUp} has ended (start-up is busy),
     * on a thread of its own; interrupting it (a stop) ends it. Without glibc's {@code malloc_trim}
     * nothing is started: there is nothing to trim with.
     */
    static Thread startAfter(Thread warmUp) {
        return Thread.ofVirtual().name("native-heap-trim").start(() -> {
            try {
                warmUp.join();
                Optional<Runnable> trim = mallocTrim();
                if (trim.isEmpty()) {
                    log.info("native heap not trimmed: no malloc_trim in this C library");
                    return;
                }
                NativeHeapTrim trimmer = new NativeHeapTrim(NativeHeapTrim::processCpuNanos, trim.get());
                long last = System.nanoTime();
                while (true) {
                    Thread.sleep(INTERVAL);
                    long now = System.nanoTime();
                    trimmer.tick(now - last);
                    last = now;
                }
            } catch (InterruptedException e) {
                // a stop
            }
        });
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** glibc's {@code malloc_trim(0)}, which is what the JVM's periodic trim calls, if the C library has it. */
    static Optional<Runnable> mallocTrim() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("malloc_trim").map(address -> {
            MethodHandle handle = linker.downcallHandle(address,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            return () -> {
                try {
                    int ignored = (int) handle.invokeExact(0L);
                } catch (Throwable e) {
                    throw new IllegalStateException("malloc_trim failed", e);
                }
            };
        });
    }
}
