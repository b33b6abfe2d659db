package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Path;

/**
 * How to open a checkpoint. {@code variant}: diffusers weight variant such as {@code fp16} (folders only; null for
 * the plain files). The other fields concern single-file checkpoints: {@code inferenceYaml} an original inference
 * config (v1-inference.yaml style) that fixes the architecture, {@code predictionType} overrides the scheduler's
 * prediction type (epsilon unless the YAML or this says otherwise), {@code textEncoderConfig} a transformers
 * {@code config.json} for a text encoder whose head count the shapes cannot tell (validated against the shapes),
 * {@code configFolder} a diffusers folder whose configs (and tokenizers) describe the file, as diffusers'
 * {@code from_single_file(..., config=)}: then nothing is inferred and its weights need not be present.
 */
public record CheckpointOptions(String variant, Path inferenceYaml, String predictionType,
                                JsonConfig textEncoderConfig, Path configFolder) {

    public static CheckpointOptions defaults() {
        return new CheckpointOptions(null, null, null, null, null);
    }

    public CheckpointOptions withVariant(String value) {
        return new CheckpointOptions(value, inferenceYaml, predictionType, textEncoderConfig, configFolder);
    }

    public CheckpointOptions withInferenceYaml(Path value) {
        return new CheckpointOptions(variant, value, predictionType, textEncoderConfig, configFolder);
    }

    public CheckpointOptions withPredictionType(String value) {
        return new CheckpointOptions(variant, inferenceYaml, value, textEncoderConfig, configFolder);
    }

    public CheckpointOptions withTextEncoderConfig(JsonConfig value) {
        return new CheckpointOptions(variant, inferenceYaml, predictionType, value, configFolder);
    }

    public CheckpointOptions withConfigFolder(Path value) {
        return new CheckpointOptions(variant, inferenceYaml, predictionType, textEncoderConfig, value);
    }
}
