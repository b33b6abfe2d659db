package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * The k-diffusion view shared by Euler, Euler ancestral and LMS: per-step timesteps and sigmas interpolated from the
 * training schedule (optionally Karras-spaced), with a final sigma of 0; inputs are scaled by 1/sqrt(sigma^2 + 1).
 */
record DiscreteSigmas(float[] timesteps, float[] sigmas, float initNoiseSigma) {

    static DiscreteSigmas of(SchedulerConfig config, float[] alphasCumprod, int n) {
        double[] timesteps = config.timestepSpacing().timesteps(config.numTrainTimesteps(), n, config.stepsOffset(),
                false);
        float[] train = Sigmas.training(alphasCumprod);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            // diffusers casts these timesteps to float32 before interpolating
            timesteps[i] = (float) timesteps[i];
            sigmas[i] = Numpy.interpOnIndex(timesteps[i], train);
        }
        if (config.useKarrasSigmas()) {
            sigmas = Sigmas.karras(sigmas[n - 1], sigmas[0], n);
            float[] logSigmas = Sigmas.log(train);
            for (int i = 0; i < n; i++) {
                timesteps[i] = Sigmas.sigmaToT(sigmas[i], logSigmas);
            }
        }
        float[] withFinal = new float[n + 1];
        float max = 0;
        for (int i = 0; i < n; i++) {
            withFinal[i] = (float) sigmas[i];
            max = Math.max(max, withFinal[i]);
        }
        // diffusers: the largest sigma for linspace/trailing spacing, else the std of x_T including the signal
        float init = config.timestepSpacing() == TimestepSpacing.LEADING ? (float) Math.sqrt(max * max + 1f) : max;
        return new DiscreteSigmas(Numpy.toFloat(timesteps), withFinal, init);
    }

    float sigma(int stepIndex) {
        return sigmas[stepIndex];
    }

    NDArray scaleModelInput(NDArray sample, int stepIndex) {
        float sigma = sigmas[stepIndex];
        return sample.div((float) Math.sqrt(sigma * sigma + 1f));
    }

    NDArray addNoise(NDArray original, NDArray noise, int stepIndex) {
        try (StepScope scope = new StepScope(original, noise)) {
            return scope.result(original.add(noise.mul(sigmas[stepIndex])));
        }
    }
}
