package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.function.Supplier;

/**
 * diffusers' {@code LMSDiscreteScheduler}: a linear multistep method of order up to 4 on the ODE derivatives in
 * sigma. The coefficients integrate the Lagrange basis polynomials through the last sigmas over the step, which
 * diffusers does with {@code scipy.integrate.quad} on an integrand evaluated in float32 torch scalars. The
 * integrands are polynomials of degree <= 3: quad's first Gauss–Kronrod pass is exact and final, and so is ours.
 */
public final class LMSDiscreteScheduler extends SigmaScheduler {
    /** diffusers' default {@code order} argument of step(). */
    private static final int ORDER = 4;

    private final History derivatives = new History(ORDER);

    LMSDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    protected void reset() {
        derivatives.clear();
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        float sigma = sigma(stepIndex);
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
        return GaussKronrod21.integrate(tau -> {
            float product = 1f;
            for (int j = 0; j < order; j++) {
                if (j != k) {
                    product *= ((float) tau - sigma(stepIndex - j)) / (sigma(stepIndex - k) - sigma(stepIndex - j));
                }
            }
            return product;
        }, sigma(stepIndex), sigma(stepIndex + 1)).value();
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return false;
    }

    @Override
    public void close() {
        derivatives.close();
    }
}
