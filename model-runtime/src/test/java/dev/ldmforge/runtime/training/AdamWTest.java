package dev.ldmforge.runtime.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.nn.TorchFunctions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    /** Gradients flow through libtorch's fused functions too (group norm, silu): they are recorded when training. */
    @Test
    void fitsAGroupNormsAffineThroughTheFusedKernels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters parameters = new Parameters();
            GroupNorm norm = new GroupNorm(parameters.root().child("norm"), 2, 4, 1e-5);
            parameters.initRandom(manager, DataType.FLOAT32, 1, Parameters.Initializer.pytorchLike());
            List<Parameter> all = List.copyOf(parameters.all());
            NDArray x = manager.randomNormal(new Shape(8, 4, 3, 3));
            // Target: scale 2, shift -1 on every channel, after silu.
            NDArray target;
            try (NDArray normalised = TorchFunctions.groupNorm(x, 2, manager.ones(new Shape(4)),
                    manager.zeros(new Shape(4)), 1e-5)) {
                target = TorchFunctions.silu(normalised.mul(2).sub(1));
            }
            LearningRateSchedule rate = new LearningRateSchedule(0.05, 10, 400, 0.01);
            float first = 0;
            float last = 0;
            try (AdamW adam = new AdamW(all, 0.9, 0.999, 1e-8, 0.0, 100.0)) {
                for (int step = 1; step <= 400; step++) {
                    float loss = TrainingStep.run(() -> TorchFunctions.silu(norm.forward(x)).sub(target).square()
                            .mean(), adam, rate.at(step));
                    first = step == 1 ? loss : first;
                    last = loss;
                }
            }
            assertTrue(last < first * 1e-3, "loss " + first + " -> " + last);
            assertEquals(2f, parameters.get("norm.weight").array().mean().getFloat(), 0.02);
            assertEquals(-1f, parameters.get("norm.bias").array().mean().getFloat(), 0.02);
        }
    }

    @Test
    void emaWarmsUpThenTracksSlowly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameters parameters = new Parameters();
            parameters.root().declare("w", 1);
            parameters.initRandom(manager, DataType.FLOAT32, 1, (p, m, seed) -> m.zeros(p.shape()));
            Parameter w = parameters.get("w");
            try (ExponentialMovingAverage ema = new ExponentialMovingAverage(List.of(w), 0.999)) {
                w.array().addi(10f);
                ema.update(); // decay min(0.999, 1/10) = 0.1: the average moves 90% of the way
                assertEquals(9f, ema.average(0).getFloat(0), 1e-5);
            }
        }
    }

    @Test
    void learningRateWarmsUpAndDecaysToTheFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 10, 110, 0.1);
        assertEquals(1e-4, s.at(1), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(1e-4, s.at(110), 1e-12);
        assertTrue(s.at(60) < 1e-3 && s.at(60) > 1e-4);
    }
}
