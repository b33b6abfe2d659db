package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code Transformer2DModel} on continuous input: group norm, {@code proj_in} (1×1 conv, or linear on the
 * tokens with {@code use_linear_projection}), {@link BasicTransformerBlock}s over the H·W tokens, {@code proj_out},
 * plus the input.
 */
public final class Transformer2DModel implements SpatialAttention {
    private static final double NORM_EPS = 1e-6;

    /** The per-block settings diffusers passes down; head width is channels / heads (SD's "attention_head_dim"). */
    public record Settings(int heads, int layers, long crossAttentionDim, int groups, boolean linearProjection,
            boolean onlyCrossAttention, Attention.Options options) {
    }

    private final GroupNorm norm;
    private final Conv2d projInConv;
    private final Linear projInLinear;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Conv2d projOutConv;
    private final Linear projOutLinear;

    public Transformer2DModel(Scope scope, long channels, Settings s) {
        long headDim = channels / s.heads();
        long inner = s.heads() * headDim;
        this.norm = new GroupNorm(scope.child("norm"), s.groups(), channels, NORM_EPS);
        boolean linear = s.linearProjection();
        this.projInLinear = linear ? new Linear(scope.child("proj_in"), channels, inner, true) : null;
        this.projInConv = linear ? null : new Conv2d(scope.child("proj_in"), channels, inner, 1, 1, 0);
        for (int i = 0; i < s.layers(); i++) {
            blocks.add(new BasicTransformerBlock(scope.child("transformer_blocks").child(i), inner, s.heads(), headDim,
                    s.crossAttentionDim(), s.onlyCrossAttention(), s.options()));
        }
        this.projOutLinear = linear ? new Linear(scope.child("proj_out"), inner, channels, true) : null;
        this.projOutConv = linear ? null : new Conv2d(scope.child("proj_out"), inner, channels, 1, 1, 0);
    }

    @Override
    public NDArray forward(NDArray x, NDArray context) {
        return Intermediates.freedAfter(() -> {
            Shape s = x.getShape();
            long b = s.get(0);
            long h = s.get(2);
            long w = s.get(3);
            NDArray normed = norm.forward(x);
            NDArray tokens = projInLinear != null
                    ? projInLinear.forward(toTokens(normed))
                    : toTokens(projInConv.forward(normed));
            for (BasicTransformerBlock block : blocks) {
                tokens = block.forward(tokens, context);
            }
            NDArray out = projOutLinear != null
                    ? toImage(projOutLinear.forward(tokens), b, h, w)
                    : projOutConv.forward(toImage(tokens, b, h, w));
            return out.add(x);
        }, x, context);
    }

    /** [B, C, H, W] -> [B, H·W, C] */
    private static NDArray toTokens(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    /** [B, H·W, C] -> [B, C, H, W] */
    private static NDArray toImage(NDArray tokens, long b, long h, long w) {
        return tokens.reshape(b, h, w, -1).transpose(0, 3, 1, 2);
    }
}
