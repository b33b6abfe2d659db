package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;

/**
 * The text encoder numbers of a checkpoint, written as a transformers {@code CLIPTextModel} config (or
 * {@code CLIPTextModelWithProjection} with {@code withProjection}: SDXL's text_encoder_2).
 */
record ClipTextArchitecture(int hiddenSize, int intermediateSize, int layers, int heads, int positions,
                            int vocabSize, String hiddenAct, int projectionDim, boolean withProjection) {

    JsonConfig toConfig(String source) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putArray("architectures").add(withProjection ? "CLIPTextModelWithProjection" : "CLIPTextModel");
        n.put("attention_dropout", 0.0);
        n.put("bos_token_id", 0);
        n.put("dropout", 0.0);
        n.put("eos_token_id", 2);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_size", hiddenSize);
        n.put("initializer_factor", 1.0);
        n.put("initializer_range", 0.02);
        n.put("intermediate_size", intermediateSize);
        n.put("layer_norm_eps", 1e-5);
        n.put("max_position_embeddings", positions);
        n.put("model_type", "clip_text_model");
        n.put("num_attention_heads", heads);
        n.put("num_hidden_layers", layers);
        n.put("pad_token_id", 1);
        n.put("projection_dim", projectionDim);
        n.put("vocab_size", vocabSize);
        return new JsonConfig(n, source);
    }
}
