package dev.ldmforge.runtime.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

import java.util.function.Supplier;

/**
 * One optimisation step: the loss recorded by autograd, its backward pass, then the optimiser's in-place update. A
 * non-finite loss skips the step (the optimiser counts it) rather than ending hours of training; persistent
 * divergence still fails.
 */
public final class TrainingStep {
    private TrainingStep() {
    }

    private static final int MAX_SKIPPED_STEPS = 20;

    /** @return the loss value (NaN or infinite when the step was skipped) */
    public static float run(Supplier<NDArray> loss, AdamW optimizer, double learningRate) {
        float value;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            value = l.getFloat();
            if (Float.isFinite(value)) {
                collector.backward(l);
            }
        }
        if (Float.isFinite(value)) {
            optimizer.step(learningRate);
        } else {
            optimizer.skip();
        }
        if (optimizer.skippedSteps() > MAX_SKIPPED_STEPS) {
            throw new IllegalStateException("training diverged: " + optimizer.skippedSteps()
                    + " steps had a non-finite loss or gradient (the last loss: " + value + ")");
        }
        return value;
    }
}
