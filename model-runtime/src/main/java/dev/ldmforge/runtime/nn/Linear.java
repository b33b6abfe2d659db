package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.Linear}: weight [out, in], optional bias [out]; applies to the last axis. */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(Scope scope, long in, long out, boolean hasBias) {
        this.weight = scope.declare("weight", out, in);
        this.bias = hasBias ? scope.declare("bias", out) : null;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array()).singletonOrThrow();
    }
}
