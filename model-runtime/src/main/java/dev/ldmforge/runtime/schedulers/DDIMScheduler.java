package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/** diffusers' {@code DDIMScheduler} (Song et al. 2020); {@code eta} > 0 adds fresh noise at every step. */
public final class DDIMScheduler extends AlphaBarScheduler {
    private final float finalAlphaCumprod;
    private final float eta;

    DDIMScheduler(SchedulerConfig config, float eta) {
        super(config);
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : schedule.alphasCumprod()[0];
        this.eta = eta;
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        int t = timestep(stepIndex);
        float alphaProd = schedule.at(t, finalAlphaCumprod);
        float alphaProdPrev = schedule.at(t - stepRatio(), finalAlphaCumprod);
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(betaProd);
        NDArray drawn = eta > 0 ? noise.get() : null;
        try (StepScope scope = new StepScope(sample, modelOutput, drawn)) {
            NDArray x0 = config.predictionType().originalSample(modelOutput, sample, sqrtAlpha, sqrtBeta);
            NDArray eps = config.predictionType().epsilon(modelOutput, sample, sqrtAlpha, sqrtBeta);
            if (config.clipSample()) {
                x0 = x0.clip(-config.clipSampleRange(), config.clipSampleRange());
            }
            float variance = (betaProdPrev / betaProd) * (1f - alphaProd / alphaProdPrev);
            float std = eta * (float) Math.sqrt(variance);
            NDArray direction = eps.mul((float) Math.sqrt(1f - alphaProdPrev - std * std));
            NDArray prev = x0.mul((float) Math.sqrt(alphaProdPrev)).add(direction);
            if (drawn != null) {
                prev = prev.add(drawn.mul(std));
            }
            return new StepOutput(scope.result(prev), scope.result(x0 == modelOutput ? x0.duplicate() : x0));
        }
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return eta > 0;
    }
}
