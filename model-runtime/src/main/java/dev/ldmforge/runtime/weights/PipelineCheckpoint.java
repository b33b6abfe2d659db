package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Stable Diffusion model on disk, either a diffusers folder or an original single-file checkpoint, seen the same
 * way: a diffusers-style config and a diffusers-keyed {@link TensorSource} per component.
 */
public interface PipelineCheckpoint extends AutoCloseable {

    /**
     * A folder opens as {@link DiffusersFolder}, a file as {@link SingleFileCheckpoint}; options that do not apply
     * to the kind found are refused rather than ignored.
     */
    static PipelineCheckpoint open(Path path, CheckpointOptions options) {
        if (!Files.isDirectory(path)) {
            return SingleFileCheckpoint.open(path, options);
        }
        refuseSingleFileOptions(path, options);
        return DiffusersFolder.open(path, options.variant());
    }

    /**
     * As {@link #open}, for reading configs alone: a diffusers folder then needs no weight files. A single file is
     * opened as usual, since its configs are inferred from its tensor shapes.
     */
    static PipelineCheckpoint openConfigs(Path path, CheckpointOptions options) {
        if (!Files.isDirectory(path)) {
            return SingleFileCheckpoint.open(path, options);
        }
        refuseSingleFileOptions(path, options);
        return DiffusersFolder.openConfigs(path);
    }

    private static void refuseSingleFileOptions(Path folder, CheckpointOptions options) {
        if (options.inferenceYaml() != null || options.predictionType() != null
                || options.textEncoderConfig() != null || options.configFolder() != null) {
            throw new WeightsException(folder + ": is a diffusers folder; its configs come from its own files, so an "
                    + "inference YAML, prediction type, text encoder config or config folder does not apply");
        }
    }

    /** Stable Diffusion 1.x/2.x or SDXL: which components the checkpoint has. */
    PipelineType type();

    /**
     * SDXL's {@code force_zeros_for_empty_prompt} (model_index.json; diffusers' default true): an absent negative
     * prompt gives zero embeddings instead of encoding "".
     */
    default boolean forceZerosForEmptyPrompt() {
        return true;
    }

    /** {@code config.json} of UNET, VAE, TEXT_ENCODER(_2); {@code scheduler_config.json} of SCHEDULER. */
    JsonConfig config(PipelineComponent component);

    /**
     * The weights of UNET, VAE or TEXT_ENCODER(_2) under diffusers state-dict keys. Close it after loading; closing the
     * checkpoint closes whatever is still open.
     */
    TensorSource weights(PipelineComponent component);

    /** The Hugging Face tokenizer folder when the checkpoint has one (single files do not). */
    Optional<Path> tokenizerDirectory();

    /** SDXL's second tokenizer folder when the checkpoint has one. */
    default Optional<Path> tokenizer2Directory() {
        return Optional.empty();
    }

    String describe();

    @Override
    void close();
}
