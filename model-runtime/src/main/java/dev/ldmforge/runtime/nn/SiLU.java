package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;

/** {@code torch.nn.SiLU} (swish): x·sigmoid(x), by libtorch's fused kernel (DJL binds none). */
public final class SiLU {
    private SiLU() {
    }

    public static NDArray forward(NDArray x) {
        return TorchFunctions.silu(x);
    }
}
