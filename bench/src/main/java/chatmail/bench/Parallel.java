package chatmail.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Runs a task for indexes 0 … n-1 on virtual threads, at most {@code parallelism} at a time. */
final class Parallel {
    private Parallel() {}

    @FunctionalInterface
    interface IndexTask {
        void run(int index) throws IOException;
    }

    /** Runs all tasks; the first failure is rethrown after every task has ended. */
    static void forEach(int n, int parallelism, IndexTask task) throws IOException, InterruptedException {
        Semaphore permits = new Semaphore(parallelism);
        List<Future<?>> futures = new ArrayList<>(n);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int index = i;
                permits.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        task.run(index);
                    } finally {
                        permits.release();
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause());
            }
        }
    }
}
