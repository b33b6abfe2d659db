package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.LayerNorm;
import dev.ldmforge.runtime.nn.Scope;

/**
 * diffusers' {@code BasicTransformerBlock} (layer_norm variant): self-attention, cross-attention on the text states,
 * GEGLU feed-forward, each pre-normed and residual. With {@code only_cross_attention} attn1 attends to the text too.
 */
public final class BasicTransformerBlock {
    private static final double LAYER_NORM_EPS = 1e-5;

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final boolean onlyCrossAttention;

    public BasicTransformerBlock(Scope scope, long dim, int heads, long headDim, long crossAttentionDim,
            boolean onlyCrossAttention, Attention.Options options) {
        this.norm1 = new LayerNorm(scope.child("norm1"), dim, LAYER_NORM_EPS);
        this.attn1 = new Attention(scope.child("attn1"), dim, onlyCrossAttention ? crossAttentionDim : dim, heads,
                headDim, false, options);
        this.norm2 = new LayerNorm(scope.child("norm2"), dim, LAYER_NORM_EPS);
        this.attn2 = new Attention(scope.child("attn2"), dim, crossAttentionDim, heads, headDim, false, options);
        this.norm3 = new LayerNorm(scope.child("norm3"), dim, LAYER_NORM_EPS);
        this.ff = new FeedForward(scope.child("ff"), dim);
        this.onlyCrossAttention = onlyCrossAttention;
    }

    /** x [B, L, dim], context [B, Lk, crossAttentionDim]. */
    public NDArray forward(NDArray x, NDArray context) {
        // Each sublayer's output is a fresh array: add the residual in place.
        NDArray h = attn1.forward(norm1.forward(x), onlyCrossAttention ? context : null).addi(x);
        h = attn2.forward(norm2.forward(h), context).addi(h);
        return ff.forward(norm3.forward(h)).addi(h);
    }
}
