package dev.ldmforge.runtime.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

import java.util.function.Supplier;

/** One optimisation step: the loss recorded by autograd, its backward pass, then the optimiser's in-place update. */
public final class TrainingStep {
    private TrainingStep() {
    }

    /** @return the loss value */
    public static float run(Supplier<NDArray> loss, AdamW optimizer, double learningRate) {
        float value;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            value = l.getFloat();
            if (!Float.isFinite(value)) {
                throw new IllegalStateException("training diverged: loss is " + value);
            }
            collector.backward(l);
        }
        optimizer.step(learningRate);
        return value;
    }
}
