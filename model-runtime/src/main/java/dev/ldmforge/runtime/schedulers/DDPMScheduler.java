package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code DDPMScheduler} (Ho et al. 2020) with {@code variance_type="fixed_small"}: the posterior mean plus
 * fresh noise of the posterior variance at every step with t > 0.
 */
public final class DDPMScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final AlphaSchedule schedule;
    private float[] timesteps = new float[0];
    private int stepRatio;

    DDPMScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new AlphaSchedule(config.alphasCumprod());
    }

    @Override
    public float[] setTimesteps(int numInferenceSteps) {
        AlphaSchedule.checkSteps(numInferenceSteps, config.numTrainTimesteps());
        timesteps = Numpy.toFloat(config.timestepSpacing().timesteps(config.numTrainTimesteps(), numInferenceSteps,
                config.stepsOffset(), true));
        stepRatio = config.numTrainTimesteps() / numInferenceSteps;
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
        float alphaProd = schedule.at(t, 1f);
        float alphaProdPrev = schedule.at(t - stepRatio, 1f);
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        float currentAlpha = alphaProd / alphaProdPrev;
        float currentBeta = 1f - currentAlpha;
        NDArray drawn = drawsNoise(stepIndex) ? noise.get() : null;
        try (StepScope scope = new StepScope(sample, modelOutput, drawn)) {
            NDArray x0 = config.predictionType().originalSample(modelOutput, sample, (float) Math.sqrt(alphaProd),
                    (float) Math.sqrt(betaProd));
            if (config.clipSample()) {
                x0 = x0.clip(-config.clipSampleRange(), config.clipSampleRange());
            }
            // formula (7) of the DDPM paper: the mean of q(x_{t-1} | x_t, x_0)
            float x0Coeff = ((float) Math.sqrt(alphaProdPrev) * currentBeta) / betaProd;
            float sampleCoeff = (float) Math.sqrt(currentAlpha) * betaProdPrev / betaProd;
            NDArray prev = x0.mul(x0Coeff).add(sample.mul(sampleCoeff));
            if (drawn != null) {
                float variance = Math.max(betaProdPrev / betaProd * currentBeta, 1e-20f);
                prev = prev.add(drawn.mul((float) Math.sqrt(variance)));
            }
            return new StepOutput(scope.result(prev), scope.result(x0 == modelOutput ? x0.duplicate() : x0));
        }
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return timesteps[stepIndex] > 0;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        return schedule.addNoise(original, noise, (int) timesteps[stepIndex]);
    }
}
