package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * One sampling run of a diffusers scheduler (make a new instance per run with {@link SchedulerFactory}). Steps are
 * addressed by index into {@link #timesteps()}, as diffusers' internal {@code step_index}. Arrays returned belong to
 * the manager of the {@code sample} passed in; state kept between steps lives in the scheduler until {@link #close()}.
 */
public interface Scheduler extends AutoCloseable {

    /** Prepares a run of {@code numInferenceSteps} steps and resets all state; returns {@link #timesteps()}. */
    float[] setTimesteps(int numInferenceSteps);

    /** The timesteps the UNet is called with, one per step call (PNDM has one more call than steps). */
    float[] timesteps();

    /** The noise levels per step plus the final one, or an empty array for schedulers without sigmas. */
    float[] sigmas();

    /** Multiplier of the initial unit-variance noise. */
    float initNoiseSigma();

    NDArray scaleModelInput(NDArray sample, int stepIndex);

    /**
     * Advances from {@code sample} at step {@code stepIndex} to the previous (less noisy) sample. Schedulers that
     * draw noise inside the step ({@link #drawsNoise}) take it from {@code noise}: a standard-normal array of the
     * sample's shape, drawn by the caller from the request's own generator in diffusers' order.
     */
    StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise);

    /** Whether {@link #step} at {@code stepIndex} consumes one noise draw. */
    boolean drawsNoise(int stepIndex);

    /** Noises {@code original} to the level of step {@code stepIndex} (img2img starts there). */
    NDArray addNoise(NDArray original, NDArray noise, int stepIndex);

    @Override
    default void close() {
    }

    /**
     * The first step index of an img2img run, as diffusers' {@code get_timesteps}: {@code init_timestep =
     * min(int(steps * strength), steps)}, {@code t_start = max(steps - init_timestep, 0)}; the run uses
     * {@code timesteps[t_start * order:]} (order is 1 for every scheduler here) and noises the image to that step.
     */
    static int img2imgStartIndex(int numInferenceSteps, double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
        }
        int initTimestep = Math.min((int) (numInferenceSteps * strength), numInferenceSteps);
        return Math.max(numInferenceSteps - initTimestep, 0);
    }
}
