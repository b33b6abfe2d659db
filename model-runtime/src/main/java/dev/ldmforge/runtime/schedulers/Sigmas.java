package dev.ldmforge.runtime.schedulers;

/** Noise levels sigma = sqrt((1 - alpha_bar) / alpha_bar) of the training schedule and Karras et al.'s spacing. */
final class Sigmas {
    /** Karras et al. (2022) use rho = 7. */
    private static final double RHO = 7.0;

    private Sigmas() {
    }

    /** {@code ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5} in torch float32, ascending in t. */
    static float[] training(float[] alphasCumprod) {
        float[] out = new float[alphasCumprod.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = (float) Math.sqrt((1f - alphasCumprod[t]) / alphasCumprod[t]);
        }
        return out;
    }

    /** {@code np.log} of a float32 array (stays float32). */
    static float[] log(float[] sigmas) {
        float[] out = new float[sigmas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(sigmas[i]);
        }
        return out;
    }

    /** {@code _convert_to_karras}: n sigmas from max to min, evenly spaced in sigma^(1/rho). */
    static double[] karras(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = Numpy.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return out;
    }

    /** {@code _sigma_to_t}: the fractional training timestep of {@code sigma}, interpolating in log sigma. */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        // the last index whose log sigma is <= logSigma (0 if none), kept below the end so that high exists
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        float lowLog = logSigmas[low];
        float highLog = logSigmas[low + 1];
        double w = (lowLog - logSigma) / (float) (lowLog - highLog);
        w = Math.min(Math.max(w, 0), 1);
        return (1 - w) * low + w * (low + 1);
    }
}
