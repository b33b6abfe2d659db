package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.nn.SiLU;

/** diffusers' {@code TimestepEmbedding}: {@code linear_1}, SiLU, {@code linear_2}. */
public final class TimestepEmbedding {
    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(Scope scope, long in, long timeEmbedDim) {
        this.linear1 = new Linear(scope.child("linear_1"), in, timeEmbedDim, true);
        this.linear2 = new Linear(scope.child("linear_2"), timeEmbedDim, timeEmbedDim, true);
    }

    public NDArray forward(NDArray x) {
        return linear2.forward(SiLU.forward(linear1.forward(x)));
    }
}
