package dev.ldmforge.jobs.cli;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.weights.CheckpointOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which model to load and how: shared by every command that runs or inspects a model. */
public final class ModelOptions {
    @Option(names = "--model", defaultValue = "demo", paramLabel = "MODEL",
            description = "`demo` (built-in, trained on coloured shapes), `tiny` (built-in, random weights), a "
                    + "diffusers folder, one .safetensors checkpoint, or a Hugging Face id ORG/NAME[@REVISION] "
                    + "from the Hugging Face cache, downloaded when missing (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32",
            description = "float32, or float16 on a GPU (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--variant", description = "weights variant of a diffusers folder, e.g. fp16")
    String variant;

    @Option(names = "--original-config", paramLabel = "YAML",
            description = "original inference YAML for a single-file checkpoint (else inferred from tensor shapes)")
    Path originalConfig;

    @Option(names = "--text-encoder-config", paramLabel = "JSON",
            description = "text_encoder config.json for a single file whose text encoder is not SD 1.x/2.x sized")
    Path textEncoderConfig;

    @Option(names = "--prediction-type", description = "epsilon or v_prediction, for single-file SD 2.x-v models")
    String predictionType;

    @Option(names = "--config", paramLabel = "DIR",
            description = "a diffusers folder whose configs (and tokenizers) describe a single-file checkpoint, as "
                    + "diffusers' from_single_file(config=); its weights are not read")
    Path configFolder;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "CLIP tokenizer folder (vocab.json, merges.txt) for single-file checkpoints (default: the "
                    + "family's tokenizer from the Hugging Face cache); SDXL's tokenizer_2 is the same vocabulary "
                    + "padded with \"!\"")
    Path tokenizer;

    @Option(names = "--attention-chunk", defaultValue = "0", paramLabel = "N",
            description = "compute attention N queries at a time to bound memory on large images (0 = all)")
    int attentionChunk;

    public String model() {
        return model;
    }

    public LoadOptions loadOptions() {
        CheckpointOptions c = CheckpointOptions.defaults();
        if (variant != null) {
            c = c.withVariant(variant);
        }
        if (originalConfig != null) {
            c = c.withInferenceYaml(originalConfig);
        }
        if (predictionType != null) {
            c = c.withPredictionType(predictionType);
        }
        if (textEncoderConfig != null) {
            c = c.withTextEncoderConfig(JsonConfig.read(textEncoderConfig));
        }
        if (configFolder != null) {
            c = c.withConfigFolder(configFolder);
        }
        return new LoadOptions(device, dtype, attentionChunk, c, tokenizer);
    }
}
