package dev.ldmforge.runtime.schedulers;

/** {@code beta_schedule}: the training noise schedule, computed as diffusers 0.25.1 does (torch float32). */
public enum BetaSchedule {
    LINEAR("linear"), SCALED_LINEAR("scaled_linear"), SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    /** Floats per vector in torch's CPU kernels (AVX2). */
    private static final int TORCH_VECTOR_WIDTH = 8;

    private final String configName;

    BetaSchedule(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static BetaSchedule parse(String configName) {
        for (BetaSchedule b : values()) {
            if (b.configName.equals(configName)) {
                return b;
            }
        }
        throw new IllegalArgumentException(configName);
    }

    float[] betas(double betaStart, double betaEnd, int trainSteps) {
        return switch (this) {
            case LINEAR -> torchLinspace((float) betaStart, (float) betaEnd, trainSteps);
            case SCALED_LINEAR -> {
                float[] roots = torchLinspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), trainSteps);
                for (int i = 0; i < roots.length; i++) {
                    roots[i] = roots[i] * roots[i];
                }
                yield roots;
            }
            case SQUAREDCOS_CAP_V2 -> {
                // betas_for_alpha_bar: Glide's cosine schedule in float64, capped at 0.999, then float32
                float[] betas = new float[trainSteps];
                for (int i = 0; i < trainSteps; i++) {
                    double t1 = (double) i / trainSteps;
                    double t2 = (double) (i + 1) / trainSteps;
                    betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
                }
                yield betas;
            }
        };
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * {@code torch.linspace(..., dtype=float32)} on the CPU, bit for bit: values come in vectors of 8; each vector's
     * base counts up from start (first half) or down from end (second half), its lanes add multiples of the step,
     * each a fused multiply-add. (Checked against the fixtures' alphas_cumprod: exact.)
     */
    private static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        int vectorEnd = steps - steps % TORCH_VECTOR_WIDTH;
        for (int idx = 0; idx < steps; idx += idx < vectorEnd ? TORCH_VECTOR_WIDTH : 1) {
            float base = idx < halfway ? Math.fma(step, idx, start) : Math.fma(-step, steps - idx - 1, end);
            int lanes = idx < vectorEnd ? TORCH_VECTOR_WIDTH : 1;
            for (int lane = 0; lane < lanes; lane++) {
                out[idx + lane] = lane == 0 ? base : Math.fma(step, lane, base);
            }
        }
        return out;
    }

    /** {@code torch.cumprod(1 - betas)}: torch accumulates a float32 cumprod in double on the CPU. */
    static float[] alphasCumprod(float[] betas) {
        float[] out = new float[betas.length];
        double acc = 1;
        for (int i = 0; i < betas.length; i++) {
            acc *= 1f - betas[i];
            out[i] = (float) acc;
        }
        return out;
    }
}
