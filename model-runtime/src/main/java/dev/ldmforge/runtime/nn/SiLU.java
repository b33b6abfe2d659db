package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** {@code torch.nn.SiLU} (swish): x·sigmoid(x). DJL's engine has no fused kernel for it. */
public final class SiLU {
    private SiLU() {
    }

    public static NDArray forward(NDArray x) {
        return Activation.sigmoid(x).muli(x);
    }
}
