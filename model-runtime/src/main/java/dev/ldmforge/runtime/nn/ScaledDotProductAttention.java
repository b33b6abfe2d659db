package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;

/** Multi-head attention core: all heads as one batched matmul, as diffusers' AttnProcessor and CLIP compute it. */
public final class ScaledDotProductAttention {

    private ScaledDotProductAttention() {
    }

    /**
     * @param q    [B, Lq, H·d]
     * @param k    [B, Lk, H·d]
     * @param v    [B, Lk, H·d]
     * @param mask additive mask broadcastable to [B·H, Lq, Lk], or null
     * @return [B, Lq, H·d]
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long b = q.getShape().get(0);
        long lq = q.getShape().get(1);
        long dim = q.getShape().get(2);
        long headDim = dim / heads;
        NDArray qh = splitHeads(q, heads);
        NDArray kh = splitHeads(k, heads);
        NDArray vh = splitHeads(v, heads);
        NDArray scores = qh.batchMatMul(kh.transpose(0, 2, 1)).muli(1.0 / Math.sqrt(headDim));
        if (mask != null) {
            scores = scores.addi(mask);
        }
        NDArray probs = scores.softmax(-1);
        return probs.batchMatMul(vh).reshape(b, heads, lq, headDim).transpose(0, 2, 1, 3).reshape(b, lq, dim);
    }

    private static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, l, heads, d).transpose(0, 2, 1, 3).reshape(b * heads, l, d);
    }
}
