package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/** What the UNet predicts ({@code prediction_type}), and how each scheduler family recovers x0 and the noise from it. */
public enum PredictionType {
    EPSILON("epsilon"), V_PREDICTION("v_prediction"), SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static PredictionType parse(String configName) {
        for (PredictionType p : values()) {
            if (p.configName.equals(configName)) {
                return p;
            }
        }
        throw new IllegalArgumentException(configName);
    }

    /** x0 for {@code sample = sqrtAlpha * x0 + sqrtBeta * eps} (DDIM, DDPM, DPM-Solver data prediction). */
    NDArray originalSample(NDArray modelOutput, NDArray sample, float sqrtAlpha, float sqrtBeta) {
        return switch (this) {
            case EPSILON -> sample.sub(modelOutput.mul(sqrtBeta)).div(sqrtAlpha);
            case SAMPLE -> modelOutput;
            case V_PREDICTION -> sample.mul(sqrtAlpha).sub(modelOutput.mul(sqrtBeta));
        };
    }

    /** The noise eps in the same parameterisation. */
    NDArray epsilon(NDArray modelOutput, NDArray sample, float sqrtAlpha, float sqrtBeta) {
        return switch (this) {
            case EPSILON -> modelOutput;
            case SAMPLE -> sample.sub(modelOutput.mul(sqrtAlpha)).div(sqrtBeta);
            case V_PREDICTION -> modelOutput.mul(sqrtAlpha).add(sample.mul(sqrtBeta));
        };
    }

    /** x0 for the k-diffusion parameterisation {@code sample = x0 + sigma * eps} (Euler, Euler ancestral, LMS). */
    NDArray originalSampleFromSigma(NDArray modelOutput, NDArray sample, float sigma) {
        return switch (this) {
            case EPSILON -> sample.sub(modelOutput.mul(sigma));
            case SAMPLE -> modelOutput;
            case V_PREDICTION -> {
                float s2 = sigma * sigma + 1f;
                yield modelOutput.mul(-sigma / (float) Math.sqrt(s2)).add(sample.div(s2));
            }
        };
    }
}
