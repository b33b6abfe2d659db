package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} on NCHW. DJL has no group norm: normalise each (sample, group) slice as a layer norm
 * with unit affine terms (the engine requires them), then apply the per-channel scale and shift.
 */
public final class GroupNorm {
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final long channels;
    private final float eps;
    /** Unit weight and zero bias for the inner layer norm, per slice length (one per image size). */
    private final java.util.concurrent.ConcurrentHashMap<Long, NDArray[]> unitAffine =
            new java.util.concurrent.ConcurrentHashMap<>();

    public GroupNorm(Scope scope, int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(scope.prefix() + ": " + channels + " channels are not divisible into "
                    + groups + " groups (norm_num_groups)");
        }
        this.weight = scope.declare("weight", channels);
        this.bias = scope.declare("bias", channels);
        this.groups = groups;
        this.channels = channels;
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        NDArray grouped = x.reshape(n, groups, -1);
        long slice = grouped.getShape().get(2);
        NDArray[] unit = unitAffine.computeIfAbsent(slice, len -> new NDArray[] {
            weight.array().getManager().ones(new Shape(len), x.getDataType(), x.getDevice()),
            weight.array().getManager().zeros(new Shape(len), x.getDataType(), x.getDevice())});
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, new Shape(slice), unit[0], unit[1], eps)
                .singletonOrThrow().reshape(shape);
        long[] affine = new long[shape.dimension()];
        java.util.Arrays.fill(affine, 1);
        affine[1] = channels;
        // Reshaped views of the weights would otherwise pile up in the weights' manager, two per call.
        try (NDArray scale = weight.array().reshape(affine); NDArray shift = bias.array().reshape(affine)) {
            return normed.muli(scale).addi(shift);
        }
    }
}
