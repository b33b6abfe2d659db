package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code DDPMScheduler} (Ho et al. 2020) with {@code variance_type="fixed_small"}: the posterior mean plus
 * fresh noise of the posterior variance at every step with t > 0.
 */
public final class DDPMScheduler extends AlphaBarScheduler {
    DDPMScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        int t = timestep(stepIndex);
        float alphaProd = schedule.at(t, 1f);
        float alphaProdPrev = schedule.at(t - stepRatio(), 1f);
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
        return timestep(stepIndex) > 0;
    }
}
