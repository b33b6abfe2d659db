package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.LayerNorm;
import dev.ldmforge.runtime.nn.Scope;

/** transformers' {@code CLIPEncoderLayer}: pre-norm self-attention and MLP, each with a residual connection. */
final class ClipEncoderLayer {
    private final ClipAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final ClipMlp mlp;
    private final LayerNorm layerNorm2;

    ClipEncoderLayer(Scope scope, ClipTextConfig config) {
        this.selfAttn = new ClipAttention(scope.child("self_attn"), config);
        this.layerNorm1 = new LayerNorm(scope.child("layer_norm1"), config.hiddenSize(), config.layerNormEps());
        this.mlp = new ClipMlp(scope.child("mlp"), config);
        this.layerNorm2 = new LayerNorm(scope.child("layer_norm2"), config.hiddenSize(), config.layerNormEps());
    }

    NDArray forward(NDArray x, NDArray causalMask) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), causalMask));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
