package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code EulerDiscreteScheduler} (Karras et al. 2022, algorithm 2) with its defaults s_churn = 0: a plain
 * Euler step of the probability-flow ODE. diffusers draws a noise tensor it then ignores; we skip that draw, which
 * changes nothing since no later draw of a run depends on it.
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {
    EulerDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        float sigma = sigma(stepIndex);
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            NDArray x0 = config.predictionType().originalSampleFromSigma(modelOutput, sample, sigma);
            NDArray derivative = sample.sub(x0).div(sigma);
            NDArray prev = sample.add(derivative.mul(sigma(stepIndex + 1) - sigma));
            return new StepOutput(scope.result(prev), scope.result(x0 == modelOutput ? x0.duplicate() : x0));
        }
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return false;
    }
}
