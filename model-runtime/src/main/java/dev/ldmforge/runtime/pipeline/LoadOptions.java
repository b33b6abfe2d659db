package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.weights.CheckpointOptions;

import java.nio.file.Path;

/**
 * How to load a model.
 *
 * @param device              {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype               {@code float32} (CPU and GPU) or {@code float16} (GPU only)
 * @param attentionQueryChunk queries per attention chunk (0 = unchunked); bounds memory for large images
 * @param checkpoint          variant, inference YAML, prediction type for single files
 * @param tokenizer           a tokenizer folder (vocab.json, merges.txt) for single-file checkpoints, which carry
 *                            none; null to use the model's own
 */
public record LoadOptions(String device, String dtype, int attentionQueryChunk, CheckpointOptions checkpoint,
                          Path tokenizer) {

    public static LoadOptions cpu() {
        return new LoadOptions("cpu", "float32", 0, CheckpointOptions.defaults(), null);
    }

    public LoadOptions withDevice(String value) {
        return new LoadOptions(value, dtype, attentionQueryChunk, checkpoint, tokenizer);
    }

    public LoadOptions withDtype(String value) {
        return new LoadOptions(device, value, attentionQueryChunk, checkpoint, tokenizer);
    }

    public LoadOptions withAttentionQueryChunk(int value) {
        return new LoadOptions(device, dtype, value, checkpoint, tokenizer);
    }

    public LoadOptions withCheckpoint(CheckpointOptions value) {
        return new LoadOptions(device, dtype, attentionQueryChunk, value, tokenizer);
    }

    public LoadOptions withTokenizer(Path value) {
        return new LoadOptions(device, dtype, attentionQueryChunk, checkpoint, value);
    }
}
