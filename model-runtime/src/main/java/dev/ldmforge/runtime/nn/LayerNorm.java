package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis, with affine weight and bias. */
public final class LayerNorm {
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;
    private final Shape normalized;

    public LayerNorm(Scope scope, long dim, double eps) {
        this.weight = scope.declare("weight", dim);
        this.bias = scope.declare("bias", dim);
        this.eps = (float) eps;
        this.normalized = new Shape(dim);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.array(), bias.array(), eps)
                .singletonOrThrow();
    }
}
