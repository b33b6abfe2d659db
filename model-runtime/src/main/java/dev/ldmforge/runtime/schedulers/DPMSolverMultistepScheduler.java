package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} with {@code algorithm_type="dpmsolver++"} (Lu et al. 2022): data
 * prediction, first order at the start (and at the end with {@code lower_order_final} below 15 steps), otherwise the
 * second-order multistep update in midpoint or Heun form. With linear spacing the last sigma repeats sigma(t=0)
 * rather than reaching 0, as in diffusers 0.25.1.
 */
public final class DPMSolverMultistepScheduler implements Scheduler {
    /** lower_order_final only applies to runs shorter than this (diffusers' choice). */
    private static final int LOWER_ORDER_FINAL_BELOW = 15;

    private final SchedulerConfig config;
    private final float[] trainSigmas;
    private final History modelOutputs;
    private float[] timesteps = new float[0];
    private float[] sigmas = new float[0];
    private int lowerOrderNums;

    DPMSolverMultistepScheduler(SchedulerConfig config) {
        this.config = config;
        this.trainSigmas = Sigmas.training(config.alphasCumprod());
        this.modelOutputs = new History(config.solverOrder());
    }

    @Override
    public float[] setTimesteps(int n) {
        AlphaSchedule.checkSteps(n, config.numTrainTimesteps());
        int trainSteps = config.numTrainTimesteps();
        // linspace and leading space n + 1 points from 0 and drop the one at 0 (unlike DDIM's n points)
        double[] desc = switch (config.timestepSpacing()) {
            case LINSPACE -> Arrays.copyOf(Numpy.reversed(Numpy.round(Numpy.linspace(0, trainSteps - 1, n + 1))), n);
            case LEADING -> {
                double[] down = new double[n];
                for (int i = 0; i < n; i++) {
                    down[i] = (double) (n - i) * (trainSteps / (n + 1)) + config.stepsOffset();
                }
                yield down;
            }
            case TRAILING -> TimestepSpacing.TRAILING.timesteps(trainSteps, n, config.stepsOffset(), true);
        };
        timesteps = new float[desc.length];
        sigmas = new float[desc.length + 1];
        if (config.useKarrasSigmas()) {
            double[] karras = Sigmas.karras(trainSigmas[0], trainSigmas[trainSigmas.length - 1], desc.length);
            float[] logSigmas = Sigmas.log(trainSigmas);
            for (int i = 0; i < karras.length; i++) {
                timesteps[i] = (float) Math.rint(Sigmas.sigmaToT(karras[i], logSigmas));
                sigmas[i] = (float) karras[i];
            }
            sigmas[desc.length] = sigmas[desc.length - 1];
        } else {
            for (int i = 0; i < desc.length; i++) {
                timesteps[i] = (float) desc[i];
                sigmas[i] = trainSigmas[(int) desc[i]];
            }
            sigmas[desc.length] = trainSigmas[0];
        }
        modelOutputs.clear();
        lowerOrderNums = 0;
        return timesteps();
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
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
        // (diffusers' lower_order_second only matters for solver_order 3)
        boolean lowerOrderFinal = stepIndex == timesteps.length - 1 && (config.eulerAtFinal()
                || config.lowerOrderFinal() && timesteps.length < LOWER_ORDER_FINAL_BELOW);
        try (StepScope scope = new StepScope(sample, modelOutputs.all(), modelOutput)) {
            Coefficients s0 = Coefficients.of(sigmas[stepIndex]);
            NDArray x0 = config.predictionType().originalSample(modelOutput, sample, s0.alpha, s0.sigma);
            scope.lend(modelOutputs.add(x0 == modelOutput ? x0.duplicate() : x0));
            Coefficients next = Coefficients.of(sigmas[stepIndex + 1]);
            float h = next.lambda - s0.lambda;
            float expm = TorchFloat.exp(-h) - 1f;
            NDArray m0 = modelOutputs.fromLast(0);
            NDArray prev = sample.mul(next.sigma / s0.sigma).sub(m0.mul(next.alpha * expm));
            if (config.solverOrder() > 1 && lowerOrderNums >= 1 && !lowerOrderFinal) {
                Coefficients s1 = Coefficients.of(sigmas[stepIndex - 1]);
                float r0 = (s0.lambda - s1.lambda) / h;
                NDArray d1 = m0.sub(modelOutputs.fromLast(1)).mul(1f / r0);
                prev = "midpoint".equals(config.solverType())
                        ? prev.sub(d1.mul(0.5f * (next.alpha * expm)))
                        : prev.add(d1.mul(next.alpha * (expm / h + 1f)));
            }
            if (lowerOrderNums < config.solverOrder()) {
                lowerOrderNums++;
            }
            return new StepOutput(scope.result(prev), null);
        }
    }

    /** {@code _sigma_to_alpha_sigma_t} and lambda = log(alpha) - log(sigma), in float32 as torch computes them. */
    private record Coefficients(float alpha, float sigma, float lambda) {
        static Coefficients of(float k) {
            float alpha = 1f / (float) Math.sqrt(k * k + 1f);
            float sigma = k * alpha;
            return new Coefficients(alpha, sigma, (float) Math.log(alpha) - (float) Math.log(sigma));
        }
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return false;
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        Coefficients c = Coefficients.of(sigmas[stepIndex]);
        try (StepScope scope = new StepScope(original, noise)) {
            return scope.result(original.mul(c.alpha).add(noise.mul(c.sigma)));
        }
    }

    @Override
    public void close() {
        modelOutputs.close();
    }
}
