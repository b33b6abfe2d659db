package dev.ldmforge.jobs.stream;

import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.streaming.StreamingQuery;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SIGTERM (or any JVM shutdown) lets the running micro-batch finish, then stops the query before Spark shuts down:
 * the hook runs in Hadoop's shutdown-hook manager above Spark's own hook (priority 40, which stops the
 * SparkContext). Batches run under a lock; the hook takes it between batches and stops the query while holding it,
 * so the next batch, interrupted while waiting for the lock, never starts its work.
 */
final class GracefulStop {
    private static final int PRIORITY = 60;
    /** The longest a micro-batch may take to finish after SIGTERM; give the process manager a grace period >= it. */
    static final long TIMEOUT_MINUTES = 30;

    private final ReentrantLock batch = new ReentrantLock();
    private final PrintStream out;
    private final Runnable hook = this::stopQuery;
    private volatile StreamingQuery query;

    GracefulStop(PrintStream out) {
        this.out = out;
    }

    void install(StreamingQuery query) {
        this.query = query;
        ShutdownHookManager.get().addShutdownHook(hook, PRIORITY, TIMEOUT_MINUTES, TimeUnit.MINUTES);
    }

    /** After the query ended by itself. */
    void uninstall() {
        if (!ShutdownHookManager.get().isShutdownInProgress()) {
            ShutdownHookManager.get().removeShutdownHook(hook);
        }
    }

    /** Runs one micro-batch's work, unless a stop interrupts the wait for the previous one's end. */
    void run(Runnable work) throws InterruptedException {
        batch.lockInterruptibly();
        try {
            work.run();
        } finally {
            batch.unlock();
        }
    }

    private void stopQuery() {
        StreamingQuery q = query;
        if (q == null || !q.isActive()) {
            return;
        }
        out.println("stream: stop requested: finishing the current micro-batch, then stopping");
        batch.lock();
        try {
            q.stop();
        } catch (TimeoutException e) {
            out.println("stream: the query did not stop in time: " + e.getMessage());
        } catch (IllegalStateException e) {
            // The main thread saw the query end and stopped Spark while stop() was still tidying up: harmless.
        } finally {
            batch.unlock();
        }
        if (!q.isActive()) {
            out.println("stream: stopped cleanly; a restart continues from the checkpoint");
        }
    }
}
