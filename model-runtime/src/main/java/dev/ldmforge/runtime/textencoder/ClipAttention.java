package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.ScaledDotProductAttention;
import dev.ldmforge.runtime.nn.Scope;

/** transformers' {@code CLIPAttention}: multi-head self-attention, here always with the causal mask. */
final class ClipAttention {
    private final Linear kProj;
    private final Linear vProj;
    private final Linear qProj;
    private final Linear outProj;
    private final int heads;

    ClipAttention(Scope scope, ClipTextConfig config) {
        long dim = config.hiddenSize();
        // Declared in transformers' module order, so the key list reads like the state dict.
        this.kProj = new Linear(scope.child("k_proj"), dim, dim, true);
        this.vProj = new Linear(scope.child("v_proj"), dim, dim, true);
        this.qProj = new Linear(scope.child("q_proj"), dim, dim, true);
        this.outProj = new Linear(scope.child("out_proj"), dim, dim, true);
        this.heads = config.numAttentionHeads();
    }

    NDArray forward(NDArray x, NDArray causalMask) {
        return outProj.forward(ScaledDotProductAttention.attend(
                qProj.forward(x), kProj.forward(x), vProj.forward(x), heads, causalMask));
    }
}
