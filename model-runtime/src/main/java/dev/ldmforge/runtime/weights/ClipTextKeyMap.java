package dev.ldmforge.runtime.weights;

/**
 * SD 1.x text encoder keys: the original {@code cond_stage_model.transformer} is a transformers
 * {@code CLIPTextModel}, so only the prefix goes (older checkpoints lack the {@code text_model.} level). SDXL's
 * first text encoder has the same layout under {@link #SDXL_ROOT}.
 */
final class ClipTextKeyMap {

    static final String ROOT = "cond_stage_model.transformer.";
    static final String SDXL_ROOT = "conditioner.embedders.0.transformer.";

    private ClipTextKeyMap() {
    }

    static OriginalKeyMapper create() {
        return create(ROOT);
    }

    static OriginalKeyMapper create(String root) {
        return new OriginalKeyMapper(root)
                .module("text_model", "text_model")
                .module("embeddings", "text_model.embeddings")
                .module("encoder", "text_model.encoder")
                .module("final_layer_norm", "text_model.final_layer_norm");
    }
}
