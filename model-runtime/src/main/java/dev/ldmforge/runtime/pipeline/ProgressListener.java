package dev.ldmforge.runtime.pipeline;

/** Called after every denoising step of a batch, so callers can draw progress bars or cancel (by throwing). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (step, steps, images) -> { };

    /**
     * @param step   steps done in the current batch (1-based)
     * @param steps  steps the batch runs
     * @param images images in the current batch
     */
    void onStep(int step, int steps, int images);
}
