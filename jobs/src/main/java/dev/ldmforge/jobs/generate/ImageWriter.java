package dev.ldmforge.jobs.generate;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A task's image writes (PNG encoding, sha256, conditional put) on one background thread, so that they overlap the
 * generation of the task's next chunk instead of leaving the model idle: a 512×512 PNG and its hash take about 70 ms,
 * close to a tenth of an image's generation time on a GPU. {@link ImageTask} waits for a chunk's writes before it
 * hands out the chunk's rows, and generates at most one chunk ahead, so the queue stays bounded.
 */
final class ImageWriter implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ldmforge-image-writer");
        t.setDaemon(true);
        return t;
    });

    <T> Future<T> submit(Callable<T> write) {
        return thread.submit(write);
    }

    /** The write's result; its failure is rethrown as the task's own. */
    static <T> T await(Future<T> write) {
        try {
            return write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for image writes", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the thread; writes not started are dropped (the task is over, or failed and will be retried). */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
