package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Path;

/**
 * How to open a checkpoint. {@code variant}: diffusers weight variant such as {@code fp16} (folders only; null for
 * the plain files). The other fields concern single-file checkpoints: {@code inferenceYaml} an original inference
 * config (v1-inference.yaml style) that fixes the architecture, {@code predictionType} overrides the scheduler's
 * prediction type (epsilon unless the YAML or this says otherwise), {@code textEncoderConfig} a transformers
 * {@code config.json} for a text encoder whose head count the shapes cannot tell (validated against the shapes).
 */
public record CheckpointOptions(String variant, Path inferenceYaml, String predictionType,
                                JsonConfig textEncoderConfig) {

    public static CheckpointOptions defaults() {
        return new CheckpointOptions(null, null, null, null);
    }

    public CheckpointOptions withVariant(String value) {
        return new CheckpointOptions(value, inferenceYaml, predictionType, textEncoderConfig);
    }

    public CheckpointOptions withInferenceYaml(Path value) {
        return new CheckpointOptions(variant, value, predictionType, textEncoderConfig);
    }

    public CheckpointOptions withPredictionType(String value) {
        return new CheckpointOptions(variant, inferenceYaml, value, textEncoderConfig);
    }

    public CheckpointOptions withTextEncoderConfig(JsonConfig value) {
        return new CheckpointOptions(variant, inferenceYaml, predictionType, value);
    }
}
