package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;

/**
 * Multi-head attention core, as diffusers' AttnProcessor and CLIP compute it: softmax(q·kᵀ/sqrt(d) + mask)·v over
 * all heads at once, by libtorch's fused kernel ({@link TorchFunctions#scaledDotProductAttention}).
 */
public final class ScaledDotProductAttention {

    private ScaledDotProductAttention() {
    }

    /**
     * @param q    [B, Lq, H·d]
     * @param k    [B, Lk, H·d]
     * @param v    [B, Lk, H·d]
     * @param mask additive mask broadcastable to [B, H, Lq, Lk], or null
     * @return [B, Lq, H·d]
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long b = q.getShape().get(0);
        long lq = q.getShape().get(1);
        long dim = q.getShape().get(2);
        NDArray out = TorchFunctions.scaledDotProductAttention(splitHeads(q, heads), splitHeads(k, heads),
                splitHeads(v, heads), mask);
        // The kernel writes [B, Lq, H, d] and returns it as a [B, H, Lq, d] view: this transpose and reshape are free.
        return out.transpose(0, 2, 1, 3).reshape(b, lq, dim);
    }

    /** [B, L, H·d] -> [B, H, L, d] as a view (no copy). */
    private static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, l, heads, d).transpose(0, 2, 1, 3);
    }
}
