package dev.ldmforge.jobs.generate;

import org.apache.spark.util.LongAccumulator;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The driver's progress line: images done of the total, images/s and ETA, every few seconds while generation runs.
 * Executors add to the accumulator as images land; Spark reports running tasks' updates with their heartbeats.
 */
final class Progress implements AutoCloseable {
    private final LongAccumulator done;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final Thread thread;

    Progress(LongAccumulator done, long total, PrintStream out, Duration every) {
        this.done = done;
        this.total = total;
        this.out = out;
        this.thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(every.toMillis());
                    print();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ldmforge-progress");
        thread.setDaemon(true);
        thread.start();
    }

    void print() {
        long n = done.value();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? n / seconds : 0;
        String eta = rate > 0 && total > n ? format(Duration.ofSeconds((long) ((total - n) / rate))) : "--:--";
        out.printf("generate: %d/%d images (%.1f%%), %.2f images/s, elapsed %s, ETA %s%n", n, total,
                total == 0 ? 100.0 : 100.0 * n / total, rate, format(Duration.ofSeconds((long) seconds)), eta);
    }

    private static String format(Duration d) {
        return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format("%02d:%02d", d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
