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
 * An original (CompVis / webui / sgm) single-file {@code .safetensors} checkpoint: UNet under
 * {@code model.diffusion_model.}, VAE under {@code first_stage_model.}, text encoder under
 * {@code cond_stage_model.transformer.} (SD 1) or {@code cond_stage_model.model.} (SD 2), or SDXL's two under
 * {@code conditioner.embedders.0.transformer.} (CLIP ViT-L) and {@code conditioner.embedders.1.model.} (OpenCLIP
 * bigG). The architecture comes from a diffusers config folder when given ({@link CheckpointOptions#configFolder}),
 * else from the original inference YAML (SD 1/2), else from the tensor shapes with the family's defaults
 * ({@link CheckpointShapes}); the key mapping to diffusers is derived from that architecture, and every key of the
 * models must map. Other keys (EMA copies, schedule buffers) are listed by {@link #ignoredKeys()}. Pickled
 * {@code .ckpt} files are refused.
 */
public final class SingleFileCheckpoint implements PipelineCheckpoint {

    private static final List<String> PREDICTION_TYPES = List.of("epsilon", "v_prediction", "sample");

    private final SafetensorsFile file;
    private final ModelFamily family;
    private final Map<PipelineComponent, JsonConfig> configs;
    private final Map<PipelineComponent, Map<String, MappedTensor>> mapped;
    private final Set<String> ignoredKeys;
    private final Map<PipelineComponent, ConfigException> configProblems;
    private final DiffusersFolder configFolder;

    private SingleFileCheckpoint(SafetensorsFile file, ModelFamily family,
                                 Map<PipelineComponent, JsonConfig> configs,
                                 Map<PipelineComponent, Map<String, MappedTensor>> mapped, Set<String> ignoredKeys,
                                 Map<PipelineComponent, ConfigException> configProblems, DiffusersFolder configFolder) {
        this.file = file;
        this.family = family;
        this.configs = configs;
        this.mapped = mapped;
        this.ignoredKeys = ignoredKeys;
        this.configProblems = configProblems;
        this.configFolder = configFolder;
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
        if (options.configFolder() != null && (options.inferenceYaml() != null || options.predictionType() != null
                || options.textEncoderConfig() != null)) {
            throw new WeightsException(path + ": the config folder " + options.configFolder() + " gives every "
                    + "config; an inference YAML, prediction type or text encoder config does not apply with it");
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
        Map<PipelineComponent, JsonConfig> configs = new EnumMap<>(PipelineComponent.class);
        Map<PipelineComponent, ConfigException> problems = new EnumMap<>(PipelineComponent.class);
        DiffusersFolder folder = null;
        if (options.configFolder() != null) {
            folder = DiffusersFolder.openConfigs(options.configFolder());
            if (folder.type() != family.pipelineType()) {
                throw new WeightsException(where + ": the weights are " + family + " but " + options.configFolder()
                        + " is a " + folder.type().className());
            }
            for (PipelineComponent c : folder.type().components()) {
                if (c.hasWeights() || c == PipelineComponent.SCHEDULER) {
                    configs.put(c, folder.config(c));
                }
            }
        } else {
            inferConfigs(shapes, family, options, where, configs, problems);
        }
        Map<PipelineComponent, OriginalKeyMapper> mappers = mappers(family, configs, shapes);
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
                problems, folder);
    }

    /**
     * Configs from the inference YAML (SD 1/2) or the shapes. A text encoder whose config cannot be inferred still
     * maps; asking for its config then fails with the reason ({@code problems}).
     */
    private static void inferConfigs(CheckpointShapes shapes, ModelFamily family, CheckpointOptions options,
                                     String where, Map<PipelineComponent, JsonConfig> configs,
                                     Map<PipelineComponent, ConfigException> problems) {
        boolean xl = family == ModelFamily.SDXL;
        if (xl && options.inferenceYaml() != null) {
            throw new WeightsException(where + ": an SDXL checkpoint's original (sgm) YAML is not read; pass the "
                    + "model's diffusers configs with --config DIR, or nothing to infer them from the shapes");
        }
        InferenceYaml yaml = options.inferenceYaml() == null ? null : InferenceYaml.read(options.inferenceYaml());
        if (yaml != null && yaml.family() != family) {
            throw new WeightsException(where + ": the weights are " + family + " but " + options.inferenceYaml()
                    + " describes " + yaml.family());
        }
        String derived = where + (yaml == null ? " (inferred from shapes)" : " (from " + options.inferenceYaml()
                + ")");
        configs.put(PipelineComponent.UNET, (yaml == null ? shapes.unet(family) : yaml.unet()).toConfig(
                derived + " unet"));
        configs.put(PipelineComponent.VAE, (yaml == null ? shapes.vae(family) : yaml.vae()).toConfig(
                derived + " vae"));
        String prediction = options.predictionType() != null ? options.predictionType()
                : yaml == null ? "epsilon" : yaml.predictionType();
        NoiseSchedule schedule = yaml == null ? NoiseSchedule.SD : yaml.schedule();
        configs.put(PipelineComponent.SCHEDULER, xl ? schedule.sdxlSchedulerConfig(prediction, derived
                + " scheduler") : schedule.schedulerConfig(prediction, derived + " scheduler"));
        if (options.textEncoderConfig() != null) {
            configs.put(PipelineComponent.TEXT_ENCODER, checked(options.textEncoderConfig(), shapes, family));
        } else {
            inferred(PipelineComponent.TEXT_ENCODER, () -> shapes.textEncoder(family, null), derived, configs,
                    problems);
        }
        if (xl) {
            inferred(PipelineComponent.TEXT_ENCODER_2, () -> shapes.textEncoder2(null), derived, configs, problems);
        }
    }

    private static void inferred(PipelineComponent component, java.util.function.Supplier<ClipTextArchitecture> a,
                                 String derived, Map<PipelineComponent, JsonConfig> configs,
                                 Map<PipelineComponent, ConfigException> problems) {
        try {
            configs.put(component, a.get().toConfig(derived + " " + component.folder()));
        } catch (WeightsException e) {
            problems.put(component, new ConfigException(e.getMessage()));
        }
    }

    private static Map<PipelineComponent, OriginalKeyMapper> mappers(ModelFamily family,
                                                                     Map<PipelineComponent, JsonConfig> configs,
                                                                     CheckpointShapes shapes) {
        Map<PipelineComponent, OriginalKeyMapper> mappers = new EnumMap<>(PipelineComponent.class);
        mappers.put(PipelineComponent.UNET, UNetKeyMap.forConfig(configs.get(PipelineComponent.UNET)));
        mappers.put(PipelineComponent.VAE, VaeKeyMap.forConfig(configs.get(PipelineComponent.VAE)));
        JsonConfig text = configs.get(PipelineComponent.TEXT_ENCODER);
        switch (family) {
            case SD1 -> mappers.put(PipelineComponent.TEXT_ENCODER, ClipTextKeyMap.create());
            case SD2 -> mappers.put(PipelineComponent.TEXT_ENCODER, OpenClipTextKeyMap.create(
                    text != null ? text.requiredInt("num_hidden_layers") : shapes.openClipLayers()));
            case SDXL -> {
                JsonConfig text2 = configs.get(PipelineComponent.TEXT_ENCODER_2);
                mappers.put(PipelineComponent.TEXT_ENCODER, ClipTextKeyMap.create(ClipTextKeyMap.SDXL_ROOT));
                mappers.put(PipelineComponent.TEXT_ENCODER_2, OpenClipTextKeyMap.create(OpenClipTextKeyMap.SDXL_ROOT,
                        text2 != null ? text2.requiredInt("num_hidden_layers") : shapes.sdxlOpenClipLayers(), true));
            }
        }
        return mappers;
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
            boolean fewerLayers = family != ModelFamily.SD1 && e.getKey().equals("num_hidden_layers")
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
        return family.pipelineType();
    }

    @Override
    public boolean forceZerosForEmptyPrompt() {
        return configFolder == null || configFolder.forceZerosForEmptyPrompt();
    }

    /** Keys outside the UNet, VAE and text encoder (EMA weights, noise-schedule buffers, ...); never loaded. */
    public Set<String> ignoredKeys() {
        return ignoredKeys;
    }

    @Override
    public JsonConfig config(PipelineComponent component) {
        if (configProblems.containsKey(component)) {
            throw configProblems.get(component);
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

    /** The config folder's tokenizer when one was given; a single file carries none. */
    @Override
    public Optional<Path> tokenizerDirectory() {
        return configFolder == null ? Optional.empty() : configFolder.tokenizerDirectory();
    }

    @Override
    public Optional<Path> tokenizer2Directory() {
        return configFolder == null ? Optional.empty() : configFolder.tokenizer2Directory();
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
