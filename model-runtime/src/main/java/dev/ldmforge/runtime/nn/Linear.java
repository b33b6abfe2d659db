package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Linear}: weight [out, in], optional bias [out]; applies to the last axis. */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;
    private final long out;

    public Linear(Scope scope, long in, long out, boolean hasBias) {
        this.weight = scope.declare("weight", out, in);
        this.bias = hasBias ? scope.declare("bias", out) : null;
        this.out = out;
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() <= 2) {
            return apply(x);
        }
        // libtorch fuses the bias into the GEMM (addmm) only for 2-D input; on 3-D tokens it would add it in an
        // extra pass over the output. The flattening reshapes are views for contiguous tokens.
        long[] dims = shape.getShape().clone();
        long in = dims[dims.length - 1];
        dims[dims.length - 1] = out;
        return apply(x.reshape(-1, in)).reshape(dims);
    }

    private NDArray apply(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array()).singletonOrThrow();
    }
}
