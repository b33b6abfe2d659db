package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.GroupNorm} on NCHW, by libtorch's own kernel ({@link TorchFunctions#groupNorm}). */
public final class GroupNorm {
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final double eps;

    public GroupNorm(Scope scope, int groups, long channels, double eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(scope.prefix() + ": " + channels + " channels are not divisible into "
                    + groups + " groups (norm_num_groups)");
        }
        this.weight = scope.declare("weight", channels);
        this.bias = scope.declare("bias", channels);
        this.groups = groups;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return TorchFunctions.groupNorm(x, groups, weight.array(), bias.array(), eps);
    }
}
