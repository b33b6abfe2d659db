package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code LMSDiscreteScheduler}: a linear multistep method of order up to 4 on the ODE derivatives in
 * sigma. The coefficients integrate the Lagrange basis polynomials through the last sigmas over the step, which
 * diffusers does with {@code scipy.integrate.quad} on an integrand evaluated in float32 torch scalars. The
 * integrands are polynomials of degree <= 3: quad's first Gauss–Kronrod pass is exact and final, and so is ours.
 */
public final class LMSDiscreteScheduler implements Scheduler {
    /** diffusers' default {@code order} argument of step(). */
    private static final int ORDER = 4;

    private final SchedulerConfig config;
    private final float[] alphasCumprod;
    private final History derivatives = new History(ORDER);
    private DiscreteSigmas schedule;

    LMSDiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        this.alphasCumprod = config.alphasCumprod();
    }

    @Override
    public float[] setTimesteps(int numInferenceSteps) {
        AlphaSchedule.checkSteps(numInferenceSteps, config.numTrainTimesteps());
        schedule = DiscreteSigmas.of(config, alphasCumprod, numInferenceSteps);
        derivatives.clear();
        return timesteps();
    }

    @Override
    public float[] timesteps() {
        return schedule.timesteps().clone();
    }

    @Override
    public float[] sigmas() {
        return schedule.sigmas().clone();
    }

    @Override
    public float initNoiseSigma() {
        return schedule.initNoiseSigma();
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        return schedule.scaleModelInput(sample, stepIndex);
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        float sigma = schedule.sigma(stepIndex);
        try (StepScope scope = new StepScope(sample, derivatives.all(), modelOutput)) {
            NDArray x0 = config.predictionType().originalSampleFromSigma(modelOutput, sample, sigma);
            scope.lend(derivatives.add(sample.sub(x0).div(sigma)));
            int order = Math.min(stepIndex + 1, ORDER);
            NDArray sum = null;
            for (int k = 0; k < order; k++) {
                NDArray term = derivatives.fromLast(k).mul((float) coefficient(order, stepIndex, k));
                sum = sum == null ? term : sum.add(term);
            }
            NDArray prev = sample.add(sum);
            return new StepOutput(scope.result(prev), scope.result(x0 == modelOutput ? x0.duplicate() : x0));
        }
    }

    /** The integral over [sigma_i, sigma_{i+1}] of the Lagrange basis polynomial of node i - k among the last nodes. */
    private double coefficient(int order, int stepIndex, int k) {
        float[] sigmas = schedule.sigmas();
        return GaussKronrod21.integrate(tau -> {
            float product = 1f;
            for (int j = 0; j < order; j++) {
                if (j != k) {
                    product *= ((float) tau - sigmas[stepIndex - j]) / (sigmas[stepIndex - k] - sigmas[stepIndex - j]);
                }
            }
            return product;
        }, sigmas[stepIndex], sigmas[stepIndex + 1]).value();
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return false;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        return schedule.addNoise(original, noise, stepIndex);
    }

    @Override
    public void close() {
        derivatives.close();
    }
}
