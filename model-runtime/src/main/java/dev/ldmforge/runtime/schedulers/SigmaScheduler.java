package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * What Euler, Euler ancestral and LMS share: the {@link DiscreteSigmas} schedule of a run, its setup and the
 * {@link Scheduler} methods that read it. Subclasses give {@code step} and {@code drawsNoise}, and reset any state
 * they keep between steps in {@link #reset()}.
 */
abstract class SigmaScheduler implements Scheduler {
    protected final SchedulerConfig config;
    private final float[] alphasCumprod;
    private DiscreteSigmas schedule;

    SigmaScheduler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = config.alphasCumprod();
    }

    @Override
    public final float[] setTimesteps(int numInferenceSteps) {
        AlphaSchedule.checkSteps(numInferenceSteps, config.numTrainTimesteps());
        schedule = DiscreteSigmas.of(config, alphasCumprod, numInferenceSteps);
        reset();
        return timesteps();
    }

    /** Clears the state a previous run left between steps; called by {@link #setTimesteps}. */
    protected void reset() {
    }

    /** The noise level of step {@code stepIndex}; the one past the last step is 0. */
    protected final float sigma(int stepIndex) {
        return schedule.sigma(stepIndex);
    }

    @Override
    public final float[] timesteps() {
        return schedule.timesteps().clone();
    }

    @Override
    public final float[] sigmas() {
        return schedule.sigmas().clone();
    }

    @Override
    public final float initNoiseSigma() {
        return schedule.initNoiseSigma();
    }

    @Override
    public final NDArray scaleModelInput(NDArray sample, int stepIndex) {
        return schedule.scaleModelInput(sample, stepIndex);
    }

    @Override
    public final NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        return schedule.addNoise(original, noise, stepIndex);
    }
}
