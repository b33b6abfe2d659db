package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/** The alpha-bar view shared by DDIM, PNDM and DDPM: integer timesteps index {@code alphas_cumprod} directly. */
record AlphaSchedule(float[] alphasCumprod) {

    /** alpha_bar at {@code t}, or {@code beforeStart} for t < 0 (the step past the last timestep). */
    float at(int t, float beforeStart) {
        return t >= 0 ? alphasCumprod[t] : beforeStart;
    }

    /** {@code add_noise}: sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise. */
    NDArray addNoise(NDArray original, NDArray noise, int t) {
        float a = alphasCumprod[t];
        try (StepScope scope = new StepScope(original, noise)) {
            return scope.result(original.mul((float) Math.sqrt(a)).add(noise.mul((float) Math.sqrt(1f - a))));
        }
    }

    static void checkSteps(int numInferenceSteps, int trainSteps) {
        if (numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
            throw new IllegalArgumentException("num_inference_steps must be in [1, " + trainSteps + "] (the model's "
                    + "num_train_timesteps), got " + numInferenceSteps);
        }
    }
}
