package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code LCMScheduler} (latent consistency models, Luo et al. 2023) as of 0.25.1. The timesteps are picked
 * from the distillation schedule of {@code original_inference_steps} (every k-th training step, k = train steps /
 * original steps), walked from the end at {@code floor(linspace(0, len, steps, endpoint=False))}. Each step maps the
 * model output to x0, applies the consistency boundary condition {@code denoised = c_out x0 + c_skip x_t}, then
 * re-noises the result to the next timestep with a fresh draw from the image's generator, except at the last step.
 */
public final class LCMScheduler implements Scheduler {
    /** diffusers hard-codes sigma_data = 0.5 in {@code get_scalings_for_boundary_condition_discrete}. */
    private static final float SIGMA_DATA = 0.5f;

    private final SchedulerConfig config;
    private final AlphaSchedule schedule;
    private float[] timesteps = new float[0];

    LCMScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new AlphaSchedule(config.alphasCumprod());
    }

    @Override
    public float[] setTimesteps(int n) {
        AlphaSchedule.checkSteps(n, config.numTrainTimesteps());
        int original = config.originalInferenceSteps();
        if (n > original) {
            throw new IllegalArgumentException("num_inference_steps must be <= original_inference_steps (" + original
                    + ") for LCMScheduler, got " + n);
        }
        int c = config.numTrainTimesteps() / original;
        // lcm_origin_timesteps = ([1..original] * c - 1) reversed, indexed by floor(np.linspace(0, len, n,
        // endpoint=False)); numpy computes those points as i * (len / n)
        double step = (double) original / n;
        timesteps = new float[n];
        for (int i = 0; i < n; i++) {
            int index = (int) Math.floor(i * step);
            timesteps[i] = (original - index) * c - 1;
        }
        return timesteps();
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        return new float[0];
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        return sample;
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        int t = (int) timesteps[stepIndex];
        // the last step's "previous" timestep is its own (diffusers), only used for the unused re-noising
        int prevT = stepIndex + 1 < timesteps.length ? (int) timesteps[stepIndex + 1] : t;
        float alphaProd = schedule.alphasCumprod()[t];
        float alphaProdPrev = schedule.alphasCumprod()[prevT];
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        // float32 tensor arithmetic as torch does it: timestep (long) * timestep_scaling -> float32
        float scaled = t * (float) config.timestepScaling();
        float denom = scaled * scaled + SIGMA_DATA * SIGMA_DATA;
        float cSkip = SIGMA_DATA * SIGMA_DATA / denom;
        float cOut = scaled / (float) Math.sqrt(denom);
        NDArray drawn = drawsNoise(stepIndex) ? noise.get() : null;
        try (StepScope scope = new StepScope(sample, modelOutput, drawn)) {
            NDArray x0 = config.predictionType().originalSample(modelOutput, sample, (float) Math.sqrt(alphaProd),
                    (float) Math.sqrt(betaProd));
            if (config.clipSample()) {
                x0 = x0.clip(-config.clipSampleRange(), config.clipSampleRange());
            }
            NDArray denoised = x0.mul(cOut).add(sample.mul(cSkip));
            NDArray prev = drawn == null ? denoised.duplicate()
                    : denoised.mul((float) Math.sqrt(alphaProdPrev)).add(drawn.mul((float) Math.sqrt(betaProdPrev)));
            return new StepOutput(scope.result(prev), scope.result(denoised));
        }
    }

    /** One draw per step but the last (so a one-step run draws nothing). */
    @Override
    public boolean drawsNoise(int stepIndex) {
        return stepIndex != timesteps.length - 1;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        return schedule.addNoise(original, noise, (int) timesteps[stepIndex]);
    }
}
