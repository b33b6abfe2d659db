package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * diffusers' {@code PNDMScheduler} on its PLMS path ({@code skip_prk_steps}, Liu et al. 2022): a linear multistep
 * method on the noise predictions. The first step is taken twice (a Heun-like warm-up), so n steps make n + 1 calls.
 */
public final class PNDMScheduler extends AlphaBarScheduler {
    private final float finalAlphaCumprod;
    /** Last four model outputs ({@code ets}). */
    private final History ets = new History(4);
    /** The sample at the first call, needed again by the second. */
    private final History firstSample = new History(1);
    private int counter;

    PNDMScheduler(SchedulerConfig config) {
        super(config);
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : schedule.alphasCumprod()[0];
    }

    /** plms_timesteps: the second timestep is repeated (901, 801, 801, 701, ...); a single step stays single. */
    @Override
    protected float[] callTimesteps(double[] spaced, int numInferenceSteps) {
        int calls = numInferenceSteps == 1 ? 1 : numInferenceSteps + 1;
        float[] timesteps = new float[calls];
        for (int call = 0; call < calls; call++) {
            timesteps[call] = (float) spaced[call < 2 ? call : call - 1];
        }
        return timesteps;
    }

    @Override
    protected void reset() {
        counter = 0;
        ets.clear();
        firstSample.clear();
    }

    @Override
    public StepOutput step(NDArray modelOutput, int stepIndex, NDArray sample, Supplier<NDArray> noise) {
        int t = timestep(stepIndex);
        int prevT = t - stepRatio();
        List<NDArray> kept = new ArrayList<>(ets.all());
        kept.addAll(firstSample.all());
        try (StepScope scope = new StepScope(sample, kept, modelOutput)) {
            NDArray eps;
            NDArray from = sample;
            if (counter != 1) {
                scope.lend(ets.add(modelOutput.duplicate()));
            } else {
                // the repeated first timestep: step again from the first sample, with the averaged slope
                prevT = t;
                t = t + stepRatio();
            }
            if (ets.size() == 1 && counter == 0) {
                eps = modelOutput;
                firstSample.add(sample.duplicate());
            } else if (ets.size() == 1 && counter == 1) {
                eps = modelOutput.add(ets.fromLast(0)).div(2f);
                from = firstSample.fromLast(0);
            } else if (ets.size() == 2) {
                eps = ets.fromLast(0).mul(3f).sub(ets.fromLast(1)).div(2f);
            } else if (ets.size() == 3) {
                eps = ets.fromLast(0).mul(23f).sub(ets.fromLast(1).mul(16f)).add(ets.fromLast(2).mul(5f)).div(12f);
            } else {
                eps = ets.fromLast(0).mul(55f).sub(ets.fromLast(1).mul(59f)).add(ets.fromLast(2).mul(37f))
                        .sub(ets.fromLast(3).mul(9f)).mul(1f / 24);
            }
            NDArray prev = previousSample(from, t, prevT, eps);
            counter++;
            return new StepOutput(scope.result(prev), null);
        }
    }

    /** Formula (9) of the PNDM paper: the sample at prevT from the sample at t and the noise estimate. */
    private NDArray previousSample(NDArray sample, int t, int prevT, NDArray modelOutput) {
        float alphaProd = schedule.at(t, finalAlphaCumprod);
        float alphaProdPrev = schedule.at(prevT, finalAlphaCumprod);
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        NDArray eps = config.predictionType().epsilon(modelOutput, sample, (float) Math.sqrt(alphaProd),
                (float) Math.sqrt(betaProd));
        float sampleCoeff = (float) Math.sqrt(alphaProdPrev / alphaProd);
        float denominator = alphaProd * (float) Math.sqrt(betaProdPrev)
                + (float) Math.sqrt(alphaProd * betaProd * alphaProdPrev);
        return sample.mul(sampleCoeff).sub(eps.mul(alphaProdPrev - alphaProd).div(denominator));
    }

    @Override
    public boolean drawsNoise(int stepIndex) {
        return false;
    }

    @Override
    public void close() {
        ets.close();
        firstSample.close();
    }
}
