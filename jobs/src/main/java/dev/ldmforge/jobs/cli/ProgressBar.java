package dev.ldmforge.jobs.cli;

import dev.ldmforge.runtime.pipeline.ProgressListener;

import java.io.PrintStream;

/** A one-line progress bar over denoising steps on a terminal; silent when output is piped or redirected. */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private int batches;

    ProgressBar(PrintStream out) {
        this.out = out;
        this.enabled = System.console() != null;
    }

    @Override
    public void onStep(int step, int steps, int images) {
        if (!enabled) {
            return;
        }
        if (step == 1) {
            batches++;
        }
        int filled = step * WIDTH / steps;
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("\rbatch %d [%s%s] step %d/%d, %d image(s), %.1fs", batches, "#".repeat(filled),
                ".".repeat(WIDTH - filled), step, steps, images, seconds);
        if (step == steps) {
            out.println();
        }
        out.flush();
    }
}
