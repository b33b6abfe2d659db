package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An original (CompVis / webui) single-file {@code .safetensors} checkpoint: UNet under
 * {@code model.diffusion_model.}, VAE under {@code first_stage_model.}, text encoder under
 * {@code cond_stage_model.transformer.} (SD 1) or {@code cond_stage_model.model.} (SD 2). The architecture comes
 * from the original inference YAML when given, otherwise from the tensor shapes with the family's defaults
 * ({@link CheckpointShapes}); the key mapping to diffusers is derived from that architecture, and every key of the
 * three models must map. Other keys (EMA copies, schedule buffers) are listed by {@link #ignoredKeys()}. Pickled
 * {@code .ckpt} files are refused.
 */
public final class SingleFileCheckpoint implements PipelineCheckpoint {

    private static final List<String> PREDICTION_TYPES = List.of("epsilon", "v_prediction", "sample");

    private final SafetensorsFile file;
    private final ModelFamily family;
    private final Map<PipelineComponent, JsonConfig> configs;
    private final Map<PipelineComponent, Map<String, MappedTensor>> mapped;
    private final Set<String> ignoredKeys;
    private final ConfigException textEncoderConfigProblem;

    private SingleFileCheckpoint(SafetensorsFile file, ModelFamily family,
                                 Map<PipelineComponent, JsonConfig> configs,
                                 Map<PipelineComponent, Map<String, MappedTensor>> mapped, Set<String> ignoredKeys,
                                 ConfigException textEncoderConfigProblem) {
        this.file = file;
        this.family = family;
        this.configs = configs;
        this.mapped = mapped;
        this.ignoredKeys = ignoredKeys;
        this.textEncoderConfigProblem = textEncoderConfigProblem;
    }

    public static SingleFileCheckpoint open(Path path, CheckpointOptions options) {
        if (options.variant() != null) {
            throw new WeightsException(path + ": weight variants (" + options.variant() + ") exist only in "
                    + "diffusers folders; a single file has one set of weights");
        }
        if (options.predictionType() != null && !PREDICTION_TYPES.contains(options.predictionType())) {
            throw new ConfigException("unsupported prediction type " + options.predictionType() + " (supported: "
                    + String.join(", ", PREDICTION_TYPES) + ")");
        }
        if (PickledWeights.isPickleName(path)) {
            throw PickledWeights.refusal(path);
        }
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(path);
        } catch (WeightsException e) {
            if (PickledWeights.looksPickled(path)) {
                throw new WeightsException(path + ": " + PickledWeights.WHY, e);
            }
            throw e;
        }
        try {
            return build(file, options);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static SingleFileCheckpoint build(SafetensorsFile file, CheckpointOptions options) {
        String where = file.describe();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        file.keys().forEach(k -> tensors.put(k, file.info(k)));
        ModelFamily family = ModelFamily.detect(tensors.keySet(), where);
        CheckpointShapes shapes = new CheckpointShapes(tensors, where);
        InferenceYaml yaml = options.inferenceYaml() == null ? null : InferenceYaml.read(options.inferenceYaml());
        if (yaml != null && yaml.family() != family) {
            throw new WeightsException(where + ": the weights are " + family + " but " + options.inferenceYaml()
                    + " describes " + yaml.family());
        }
        String derived = where + (yaml == null ? " (inferred from shapes)" : " (from " + options.inferenceYaml()
                + ")");
        Map<PipelineComponent, JsonConfig> configs = new EnumMap<>(PipelineComponent.class);
        configs.put(PipelineComponent.UNET, (yaml == null ? shapes.unet(family) : yaml.unet()).toConfig(
                derived + " unet"));
        configs.put(PipelineComponent.VAE, (yaml == null ? shapes.vae() : yaml.vae()).toConfig(derived + " vae"));
        String prediction = options.predictionType() != null ? options.predictionType()
                : yaml == null ? "epsilon" : yaml.predictionType();
        configs.put(PipelineComponent.SCHEDULER, (yaml == null ? NoiseSchedule.SD : yaml.schedule())
                .schedulerConfig(prediction, derived + " scheduler"));
        ConfigException textProblem = null;
        if (options.textEncoderConfig() != null) {
            configs.put(PipelineComponent.TEXT_ENCODER, checked(options.textEncoderConfig(), shapes, family));
        } else {
            try {
                configs.put(PipelineComponent.TEXT_ENCODER, shapes.textEncoder(family, null).toConfig(
                        derived + " text_encoder"));
            } catch (WeightsException e) {
                // the weights still map; only asking for the config fails
                textProblem = new ConfigException(e.getMessage());
            }
        }
        JsonConfig text = configs.get(PipelineComponent.TEXT_ENCODER);
        Map<PipelineComponent, OriginalKeyMapper> mappers = new EnumMap<>(PipelineComponent.class);
        mappers.put(PipelineComponent.UNET, UNetKeyMap.forConfig(configs.get(PipelineComponent.UNET)));
        mappers.put(PipelineComponent.VAE, VaeKeyMap.forConfig(configs.get(PipelineComponent.VAE)));
        mappers.put(PipelineComponent.TEXT_ENCODER, family == ModelFamily.SD1 ? ClipTextKeyMap.create()
                : OpenClipTextKeyMap.create(text != null ? text.requiredInt("num_hidden_layers")
                : shapes.openClipLayers()));
        Map<PipelineComponent, Map<String, MappedTensor>> mapped = new EnumMap<>(PipelineComponent.class);
        Set<String> ignored = new TreeSet<>(tensors.keySet());
        for (Map.Entry<PipelineComponent, OriginalKeyMapper> m : mappers.entrySet()) {
            Map<String, MappedTensor> component = m.getValue().map(tensors, where + " " + m.getKey().folder());
            if (component.isEmpty()) {
                throw new WeightsException(where + ": holds no " + m.getValue().root() + "* weights for the "
                        + m.getKey().folder());
            }
            mapped.put(m.getKey(), component);
            ignored.removeIf(k -> k.startsWith(m.getValue().root()));
        }
        return new SingleFileCheckpoint(file, family, configs, mapped, Collections.unmodifiableSet(ignored),
                textProblem);
    }

    /**
     * A given transformers text encoder config, checked against the shapes (its head count is the one number the
     * shapes cannot tell; an SD 2 config may keep fewer OpenCLIP layers than the file holds).
     */
    private static JsonConfig checked(JsonConfig given, CheckpointShapes shapes, ModelFamily family) {
        ClipTextArchitecture a = shapes.textEncoder(family, given.requiredInt("num_attention_heads"));
        Map<String, Integer> expected = Map.of("hidden_size", a.hiddenSize(), "intermediate_size",
                a.intermediateSize(), "max_position_embeddings", a.positions(), "vocab_size", a.vocabSize(),
                "num_hidden_layers", a.layers());
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            int value = given.requiredInt(e.getKey());
            boolean fewerLayers = family == ModelFamily.SD2 && e.getKey().equals("num_hidden_layers")
                    && value <= e.getValue();
            if (value != e.getValue() && !fewerLayers) {
                throw new ConfigException(given.source() + ": " + e.getKey() + " " + value + " does not match the "
                        + "checkpoint's text encoder weights (" + e.getValue() + ")");
            }
        }
        return given;
    }

    public ModelFamily family() {
        return family;
    }

    @Override
    public PipelineType type() {
        return PipelineType.STABLE_DIFFUSION;
    }

    /** Keys outside the UNet, VAE and text encoder (EMA weights, noise-schedule buffers, ...); never loaded. */
    public Set<String> ignoredKeys() {
        return ignoredKeys;
    }

    @Override
    public JsonConfig config(PipelineComponent component) {
        if (component == PipelineComponent.TEXT_ENCODER && textEncoderConfigProblem != null) {
            throw textEncoderConfigProblem;
        }
        JsonConfig config = configs.get(component);
        if (config == null) {
            throw new IllegalArgumentException(component + " has no config; expected one of "
                    + Arrays.toString(configs.keySet().toArray()));
        }
        return config;
    }

    @Override
    public TensorSource weights(PipelineComponent component) {
        Map<String, MappedTensor> tensors = mapped.get(component);
        if (tensors == null) {
            throw new IllegalArgumentException(component + " has no weights");
        }
        return new MappedTensorSource(file, tensors, file.describe() + " " + component.folder());
    }

    @Override
    public Optional<Path> tokenizerDirectory() {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return file.describe();
    }

    @Override
    public void close() {
        file.close();
    }
}
