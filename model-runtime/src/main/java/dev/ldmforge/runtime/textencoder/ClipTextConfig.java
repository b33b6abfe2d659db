package dev.ldmforge.runtime.textencoder;

import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Path;

/**
 * transformers' {@code CLIPTextConfig} (the {@code text_encoder/config.json} of a diffusers model). Absent fields
 * take transformers' defaults.
 */
public record ClipTextConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                             int maxPositionEmbeddings, int vocabSize, ClipActivation hiddenAct, double layerNormEps,
                             int projectionDim, int bosTokenId, int eosTokenId, int padTokenId) {

    public static ClipTextConfig read(Path file) {
        return from(JsonConfig.read(file));
    }

    public static ClipTextConfig from(JsonConfig c) {
        c.oneOf("model_type", "clip_text_model", "clip_text_model");
        int hidden = c.integer("hidden_size", 512);
        int heads = c.integer("num_attention_heads", 8);
        if (heads < 1 || hidden % heads != 0) {
            throw c.unsupported("num_attention_heads", heads, "must divide hidden_size " + hidden);
        }
        return new ClipTextConfig(hidden, c.integer("intermediate_size", 2048), c.integer("num_hidden_layers", 12),
                heads, c.integer("max_position_embeddings", 77), c.integer("vocab_size", 49408),
                ClipActivation.read(c), c.number("layer_norm_eps", 1e-5), c.integer("projection_dim", 512),
                c.integer("bos_token_id", 49406), c.integer("eos_token_id", 49407), c.integer("pad_token_id", 1));
    }
}
