package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code EulerAncestralDiscreteScheduler}: an Euler step down to sigma_down, then fresh noise of
 * sigma_up, so that sigma_down^2 + sigma_up^2 = sigma_next^2 (k-diffusion's {@code sample_euler_ancestral}).
 */
public final class EulerAncestralDiscreteScheduler extends SigmaScheduler {
    EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        float sigma = sigma(stepIndex);
        float sigmaTo = sigma(stepIndex + 1);
        float sigmaUp = (float) Math.sqrt(sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo) / (sigma * sigma));
        float sigmaDown = (float) Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        NDArray drawn = noise.get();
        try (StepScope scope = new StepScope(sample, modelOutput, drawn)) {
            NDArray x0 = config.predictionType().originalSampleFromSigma(modelOutput, sample, sigma);
            NDArray derivative = sample.sub(x0).div(sigma);
            NDArray prev = sample.add(derivative.mul(sigmaDown - sigma)).add(drawn.mul(sigmaUp));
            return new StepOutput(scope.result(prev), scope.result(x0));
        }
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return true;
    }
}
