package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * What DDIM, DDPM and PNDM share: integer timesteps spread by {@code timestep_spacing} that index the
 * {@link AlphaSchedule} directly, no sigmas, unit initial noise and unscaled model inputs. Subclasses give {@code step}
 * and {@code drawsNoise}, may repeat timesteps ({@link #callTimesteps}) and reset any state they keep between steps
 * in {@link #reset()}.
 */
abstract class AlphaBarScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final AlphaSchedule schedule;
    private float[] timesteps = new float[0];
    private int stepRatio;

    AlphaBarScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new AlphaSchedule(config.alphasCumprod());
    }

    @Override
    public final float[] setTimesteps(int numInferenceSteps) {
        AlphaSchedule.checkSteps(numInferenceSteps, config.numTrainTimesteps());
        timesteps = callTimesteps(config.timestepSpacing().timesteps(config.numTrainTimesteps(), numInferenceSteps,
                config.stepsOffset(), true), numInferenceSteps);
        stepRatio = config.numTrainTimesteps() / numInferenceSteps;
        reset();
        return timesteps();
    }

    /** The timestep of each step call from the {@code spaced} descending ones; one call per timestep by default. */
    protected float[] callTimesteps(double[] spaced, int numInferenceSteps) {
        return Numpy.toFloat(spaced);
    }

    /** Clears the state a previous run left between steps; called by {@link #setTimesteps}. */
    protected void reset() {
    }

    /** The training timestep of step call {@code stepIndex}. */
    protected final int timestep(int stepIndex) {
        return (int) timesteps[stepIndex];
    }

    /** How many training timesteps one inference step spans (diffusers' {@code step_ratio}). */
    protected final int stepRatio() {
        return stepRatio;
    }

    @Override
    public final float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public final float[] sigmas() {
        return new float[0];
    }

    @Override
    public final float initNoiseSigma() {
        return 1f;
    }

    @Override
    public final NDArray scaleModelInput(NDArray sample, int stepIndex) {
        return sample;
    }

    @Override
    public final NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        return schedule.addNoise(original, noise, timestep(stepIndex));
    }
}
