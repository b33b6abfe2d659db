package dev.ldmforge.runtime.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.ldmforge.runtime.nn.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba) with decoupled weight decay (Loshchilov &amp; Hutter), as {@code torch.optim.AdamW}. Marks its
 * parameters as requiring gradients; {@link #step} must run outside a gradient collector, where the in-place updates
 * are not recorded. Weight decay applies to matrices and kernels only, never to norms' scales or biases. Gradients
 * are first clipped to a global norm ({@code torch.nn.utils.clip_grad_norm_}), which keeps small diffusion models from
 * diverging on the rare batch of nearly noise-free timesteps.
 */
public final class AdamW implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final NDManager state;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double maxGradNorm;
    private int steps;
    private double lastGradNorm;
    private int skipped;

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double eps, double weightDecay,
                 double maxGradNorm) {
        this.parameters = List.copyOf(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.maxGradNorm = maxGradNorm;
        this.state = this.parameters.get(0).array().getManager().newSubManager();
        for (Parameter p : this.parameters) {
            p.array().setRequiresGradient(true);
            firstMoments.add(state.zeros(p.shape()));
            secondMoments.add(state.zeros(p.shape()));
        }
    }

    /**
     * One update from the gradients the last backward pass accumulated, which it then zeroes. Non-finite gradients
     * are dropped without an update (counted by {@link #skippedSteps}), so one bad batch cannot poison the weights.
     */
    public void step(double learningRate) {
        NoGradient.run(() -> update(learningRate));
    }

    private void update(double learningRate) {
        lastGradNorm = gradientNorm();
        if (!Double.isFinite(lastGradNorm)) {
            skipped++;
            zeroGradients();
            return;
        }
        steps++;
        float c1 = (float) (1 - Math.pow(beta1, steps));
        float c2 = (float) (1 - Math.pow(beta2, steps));
        float clip = (float) Math.min(1, maxGradNorm / (lastGradNorm + 1e-6));
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).array();
            NDArray m = firstMoments.get(i);
            NDArray v = secondMoments.get(i);
            try (NDManager temps = state.newSubManager()) {
                // Temporaries of ops on w, m and v land in temps and are freed with it.
                w.tempAttach(temps);
                m.tempAttach(temps);
                v.tempAttach(temps);
                NDArray g = w.getGradient().mul(clip);
                m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray update = m.div(c1).divi(v.div(c2).sqrt().addi((float) eps));
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli((float) (1 - learningRate * weightDecay));
                }
                w.subi(update.muli((float) learningRate));
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    /** The gradients' global L2 norm before clipping, at the last {@link #step}. */
    public double lastGradientNorm() {
        return lastGradNorm;
    }

    /** Steps dropped because their gradients were not finite. */
    public int skippedSteps() {
        return skipped;
    }

    /** Counts a step dropped before backward (a non-finite loss). */
    void skip() {
        skipped++;
        zeroGradients();
    }

    private void zeroGradients() {
        for (Parameter p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p.array());
        }
    }

    /** One host sync for all parameters: the squared norms are summed on the device. */
    private double gradientNorm() {
        try (NDManager temps = state.newSubManager()) {
            NDArray total = temps.zeros(new Shape());
            for (Parameter p : parameters) {
                NDArray w = p.array();
                w.tempAttach(temps);
                total.addi(w.getGradient().square().sum());
            }
            return Math.sqrt(total.getFloat());
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
