package dev.ldmforge.runtime.schedulers;

/**
 * Scalar float32 functions as torch computes them on the CPU, where {@code Math} would differ in the last bit.
 * torch evaluates exp with SLEEF's vector {@code expf_u10} even for a single element; its error exceeds half an ulp,
 * so a correctly rounded exp differs from it for some arguments (and DPM-Solver's coefficients with it).
 */
final class TorchFloat {
    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private static final float L2U = 0.693145751953125f;
    private static final float L2L = 1.428606765330187045e-06f;

    private TorchFloat() {
    }

    /** SLEEF {@code xexpf} (FMA variant): exp(d) = 2^q exp(s), s = d - q ln 2 in two parts, degree-6 polynomial. */
    static float exp(float d) {
        if (d < -104f) {
            return 0f;
        }
        if (d > 100f) {
            return Float.POSITIVE_INFINITY;
        }
        int q = (int) Math.rint(d * R_LN2);
        float s = Math.fma(q, -L2U, d);
        s = Math.fma(q, -L2L, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1f + Math.fma(s * s, u, s);
        // vldexp2: two power-of-two factors so that 2^q never overflows on its own
        return Math.scalb(Math.scalb(u, q >> 1), q - (q >> 1));
    }
}
