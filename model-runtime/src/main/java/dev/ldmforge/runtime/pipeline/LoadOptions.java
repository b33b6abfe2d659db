package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.hub.HubSettings;
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
 *                            none; null to use the model's own, or the family's from the Hugging Face cache
 * @param hub                 the Hugging Face Hub and cache for models named by hub id; null for the ones this
 *                            process's environment names ({@link HubSettings#fromEnvironment()})
 */
public record LoadOptions(String device, String dtype, int attentionQueryChunk, CheckpointOptions checkpoint,
                          Path tokenizer, HubSettings hub) {

    public LoadOptions(String device, String dtype, int attentionQueryChunk, CheckpointOptions checkpoint,
                       Path tokenizer) {
        this(device, dtype, attentionQueryChunk, checkpoint, tokenizer, null);
    }

    public static LoadOptions cpu() {
        return new LoadOptions("cpu", "float32", 0, CheckpointOptions.defaults(), null, null);
    }

    public LoadOptions withDevice(String value) {
        return new LoadOptions(value, dtype, attentionQueryChunk, checkpoint, tokenizer, hub);
    }

    public LoadOptions withDtype(String value) {
        return new LoadOptions(device, value, attentionQueryChunk, checkpoint, tokenizer, hub);
    }

    public LoadOptions withAttentionQueryChunk(int value) {
        return new LoadOptions(device, dtype, value, checkpoint, tokenizer, hub);
    }

    public LoadOptions withCheckpoint(CheckpointOptions value) {
        return new LoadOptions(device, dtype, attentionQueryChunk, value, tokenizer, hub);
    }

    public LoadOptions withTokenizer(Path value) {
        return new LoadOptions(device, dtype, attentionQueryChunk, checkpoint, value, hub);
    }

    public LoadOptions withHub(HubSettings value) {
        return new LoadOptions(device, dtype, attentionQueryChunk, checkpoint, tokenizer, value);
    }

    /** The hub settings to use: the given ones, else this process's environment. */
    public HubSettings hubSettings() {
        return hub != null ? hub : HubSettings.fromEnvironment();
    }
}
