package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Stable Diffusion pipeline in the diffusers folder layout: {@code model_index.json} naming the components, and
 * {@code unet/}, {@code vae/}, {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/} with their configs
 * (SDXL also {@code text_encoder_2/}, {@code tokenizer_2/}).
 * Weights are {@code diffusion_pytorch_model[.variant].safetensors} or {@code model[.variant].safetensors}, or
 * shards described by {@code <name>.safetensors.index[.variant].json}. Only safetensors are read; pickles are
 * refused ({@link PickledWeights}). Everything is validated and the weight files chosen when the folder is opened.
 */
public final class DiffusersFolder implements PipelineCheckpoint {

    private static final List<String> WEIGHT_NAMES = List.of("diffusion_pytorch_model", "model");
    private static final Map<PipelineComponent, List<String>> CLASSES = Map.of(
            PipelineComponent.UNET, List.of("UNet2DConditionModel"),
            PipelineComponent.VAE, List.of("AutoencoderKL"),
            PipelineComponent.TEXT_ENCODER, List.of("CLIPTextModel"),
            PipelineComponent.TOKENIZER, List.of("CLIPTokenizer", "CLIPTokenizerFast"),
            PipelineComponent.TEXT_ENCODER_2, List.of("CLIPTextModelWithProjection"),
            PipelineComponent.TOKENIZER_2, List.of("CLIPTokenizer", "CLIPTokenizerFast"));

    private final Path root;
    private final JsonConfig modelIndex;
    private final PipelineType type;
    private final Map<PipelineComponent, Path> weightFiles;
    private final List<TensorSource> opened = new ArrayList<>();

    private DiffusersFolder(Path root, JsonConfig modelIndex, PipelineType type,
                            Map<PipelineComponent, Path> weightFiles) {
        this.root = root;
        this.modelIndex = modelIndex;
        this.type = type;
        this.weightFiles = weightFiles;
    }

    /** Opens {@code root}; {@code variant} selects e.g. the {@code fp16} weight files (null: the plain ones). */
    public static DiffusersFolder open(Path root, String variant) {
        return open(root, variant, true);
    }

    /**
     * Opens {@code root} for its configs alone ({@code inspect --config-only}): weight files need not exist and
     * {@link #weights} refuses.
     */
    public static DiffusersFolder openConfigs(Path root) {
        return open(root, null, false);
    }

    private static DiffusersFolder open(Path root, String variant, boolean withWeights) {
        JsonConfig index = JsonConfig.read(root.resolve("model_index.json"));
        PipelineType type = checkedType(index, !withWeights);
        Map<PipelineComponent, Path> weights = new EnumMap<>(PipelineComponent.class);
        for (PipelineComponent c : type.components()) {
            if (!withWeights && optionalForConfigs(index, c)) {
                continue;
            }
            Path dir = root.resolve(c.folder());
            if (!Files.isDirectory(dir)) {
                throw new WeightsException(root + ": model_index.json names " + c.folder() + " but the folder "
                        + dir + " is missing");
            }
            if (withWeights && c.hasWeights()) {
                weights.put(c, selectWeights(dir, variant));
            }
        }
        return new DiffusersFolder(root, index, type, weights);
    }

    /**
     * The pipeline type {@code model_index.json} of a pipeline folder declares, checked: every component of that
     * type is {@code [library, class]} and of a supported class.
     */
    public static PipelineType readModelIndex(Path root) {
        return checkedType(JsonConfig.read(root.resolve("model_index.json")), false);
    }

    /**
     * Reading configs alone needs only the networks' configs: a tokenizer or scheduler model_index.json does not
     * list may be absent (its configs are then not read).
     */
    private static boolean optionalForConfigs(JsonConfig index, PipelineComponent c) {
        return !c.hasWeights() && index.node().get(c.folder()) == null;
    }

    private static PipelineType checkedType(JsonConfig index, boolean configsOnly) {
        PipelineType type = PipelineType.of(index);
        String file = index.source();
        if (index.string("_class_name", null) == null) {
            throw new ConfigException(file + ": required field _class_name is missing");
        }
        for (PipelineComponent c : type.components()) {
            if (configsOnly && optionalForConfigs(index, c)) {
                continue;
            }
            JsonNode entry = index.node().get(c.folder());
            if (entry == null || !entry.isArray() || entry.size() != 2 || !entry.get(0).isTextual()
                    || !entry.get(1).isTextual()) {
                throw new ConfigException(file + ": component " + c.folder() + " must be [library, class], found "
                        + entry);
            }
            List<String> supported = CLASSES.get(c);
            String cls = entry.get(1).asText();
            if (supported != null && !supported.contains(cls)) {
                throw index.unsupported(c.folder(), cls, "supported: " + String.join(", ", supported));
            }
        }
        return type;
    }

    /**
     * The one weights file (or shard index) of a component folder for {@code variant}; refuses pickles, a missing
     * variant, and a folder with both a single file and a shard index.
     */
    static Path selectWeights(Path dir, String variant) {
        return dir.resolve(weightsFileName(dir.toString(), listFiles(dir), variant));
    }

    /**
     * The same choice among the file names of a component folder that is elsewhere (a hub repository's listing):
     * {@code where} names the folder in errors.
     */
    public static String weightsFileName(String where, Collection<String> files, String variant) {
        String v = variant == null ? "" : "." + variant;
        List<String> found = new ArrayList<>();
        for (String name : WEIGHT_NAMES) {
            for (String candidate : List.of(name + v + ".safetensors", name + ".safetensors.index" + v + ".json")) {
                if (files.contains(candidate)) {
                    found.add(candidate);
                }
            }
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.size() > 1) {
            throw new WeightsException(where + ": several weight files for variant " + variant + ": " + found
                    + "; keep one");
        }
        List<String> sorted = files.stream().sorted().toList();
        String pickles = String.join(", ", sorted.stream().filter(f -> PickledWeights.isPickleName(Path.of(f)))
                .toList());
        if (!pickles.isEmpty() && sorted.stream().noneMatch(f -> f.endsWith(".safetensors"))) {
            throw new WeightsException(where + ": holds only pickled weights (" + pickles + "): "
                    + PickledWeights.WHY);
        }
        String expected = WEIGHT_NAMES.get(0) + v + ".safetensors or " + WEIGHT_NAMES.get(1) + v + ".safetensors"
                + " (or a *.safetensors.index" + v + ".json)";
        throw new WeightsException(where + ": no weights for " + (variant == null ? "the default variant"
                : "variant " + variant) + ": expected " + expected + "; the folder has " + sorted
                + (variant == null ? " (pass the variant, e.g. fp16, to use variant files)" : ""));
    }

    private static List<String> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new WeightsException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public JsonConfig modelIndex() {
        return modelIndex;
    }

    @Override
    public PipelineType type() {
        return type;
    }

    @Override
    public boolean forceZerosForEmptyPrompt() {
        return modelIndex.bool("force_zeros_for_empty_prompt", true);
    }

    /** The chosen weights file or shard index of a component. */
    public Path weightFile(PipelineComponent component) {
        Path p = weightFiles.get(component);
        if (p == null) {
            throw new IllegalArgumentException(component + (component.hasWeights()
                    ? " weights: " + root + " was opened for its configs only" : " has no weights"));
        }
        return p;
    }

    @Override
    public JsonConfig config(PipelineComponent component) {
        if (!component.hasWeights() && component != PipelineComponent.SCHEDULER) {
            throw new IllegalArgumentException("the tokenizer has no config.json; read tokenizerDirectory()");
        }
        if (!type.components().contains(component)) {
            throw new IllegalArgumentException(root + ": a " + type.className() + " has no " + component.folder());
        }
        if (weightFiles.isEmpty() && optionalForConfigs(modelIndex, component)) {
            return null; // a configs-only folder without a scheduler
        }
        String name = component == PipelineComponent.SCHEDULER ? "scheduler_config.json" : "config.json";
        return JsonConfig.read(root.resolve(component.folder()).resolve(name));
    }

    @Override
    public synchronized TensorSource weights(PipelineComponent component) {
        Path file = weightFile(component);
        TensorSource source = file.getFileName().toString().endsWith(".json") ? ShardedSafetensors.open(file)
                : SafetensorsFile.open(file);
        opened.add(source);
        return source;
    }

    @Override
    public Optional<Path> tokenizerDirectory() {
        return Optional.of(root.resolve(PipelineComponent.TOKENIZER.folder()));
    }

    @Override
    public Optional<Path> tokenizer2Directory() {
        return type == PipelineType.STABLE_DIFFUSION_XL ? Optional.of(root.resolve(PipelineComponent.TOKENIZER_2
                .folder())) : Optional.empty();
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public synchronized void close() {
        opened.forEach(TensorSource::close);
        opened.clear();
    }
}
