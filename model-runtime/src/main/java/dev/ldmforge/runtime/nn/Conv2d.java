package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.Conv2d} with square kernel, NCHW, weight [out, in, k, k] and bias [out]. */
public final class Conv2d {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(Scope scope, long in, long out, int kernel, int stride, int padding) {
        this.weight = scope.declare("weight", out, in, kernel, kernel);
        this.bias = scope.declare("bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** A k×k convolution with stride 1 and "same" padding, the common case. */
    public static Conv2d same(Scope scope, long in, long out, int kernel) {
        return new Conv2d(scope, in, out, kernel, 1, kernel / 2);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias.array(), stride, padding,
                new Shape(1, 1), 1).singletonOrThrow();
    }
}
