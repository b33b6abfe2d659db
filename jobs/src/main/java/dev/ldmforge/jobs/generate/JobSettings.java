package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.cli.OutputOptions;
import dev.ldmforge.jobs.cli.ParameterOptions;
import dev.ldmforge.jobs.cli.Preset;
import dev.ldmforge.jobs.cli.TrustOptions;
import dev.ldmforge.jobs.executor.HubConf;
import dev.ldmforge.jobs.executor.ModelSource;
import dev.ldmforge.jobs.spark.SparkSessions;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ModelInspector;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options {@code generate} and {@code stream} share: model, executors, Spark, and defaults for requests. */
public final class JobSettings {
    @Option(names = "--model", defaultValue = "demo",
            description = "demo or tiny (built-in), a diffusers folder, a .safetensors file, s3://..., or a "
                    + "Hugging Face id ORG/NAME[@REVISION], pinned to one commit for the whole job "
                    + "(default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--batch-size", defaultValue = "4", paramLabel = "N",
            description = "images per UNet call on an executor (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark or ldmforge.* setting (repeatable)")
    List<String> conf = new ArrayList<>();

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu or gpu; tasks given a Spark gpu resource use that GPU (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", description = "float32, or float16 on GPUs")
    String dtype;

    @Option(names = "--attention-chunk", defaultValue = "0", paramLabel = "N",
            description = "attention queries per chunk, bounds memory on large images (0 = all)")
    int attentionChunk;

    @Mixin
    ParameterOptions parameters;

    @Mixin
    TrustOptions trust;

    @Mixin
    OutputOptions outputs;

    @Option(names = "--strict", description = "reject records with unknown fields (UNKNOWN_FIELD) instead of ignoring them")
    boolean strict;

    @Option(names = "--model-cache-dir", paramLabel = "DIR",
            description = "node-local cache for s3:// models (default: ~/.cache/ldmforge/models)")
    Path modelCache;

    @Option(names = "--retry-float32",
            description = "with --dtype float16: regenerate NaN or black images once in float32")
    boolean retryFloat32;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    public String master() {
        return master;
    }

    /** The {@code --conf} settings, in order. */
    public Map<String, String> confs() {
        Map<String, String> confs = new LinkedHashMap<>();
        for (String kv : conf) {
            Map.Entry<String, String> e = SparkSessions.parseConf(kv);
            confs.put(e.getKey(), e.getValue());
        }
        return confs;
    }

    /**
     * The executors' options; throws picocli's {@link ParameterException} for a bad batch size or defaults.
     *
     * @param input what the job reads, for logs and summaries
     */
    public JobOptions jobOptions(String input, String output, Map<String, String> confs, boolean failFirstAttempt) {
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        S3Settings s3 = S3Settings.from(confs);
        HubConf hub;
        try {
            hub = HubConf.from(confs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        DeclaredModels declared;
        AllowedLocations initImages;
        try {
            if (trust.maxInitImageBytes < 1 || trust.maxLoadedModels < 1) {
                throw new IllegalArgumentException("--max-init-image-bytes and --max-loaded-models must be at least "
                        + "1, got " + trust.maxInitImageBytes + " and " + trust.maxLoadedModels);
            }
            declared = DeclaredModels.of(model, trust.extraModels);
            initImages = AllowedLocations.of(input, trust.allowInitImages);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // The driver resolves each hub id's revision once: every executor loads that commit.
        declared = declared.withLocations(m -> ModelSource.pin(m, hub, s3));
        String location = declared.location(model).orElseThrow();
        LoadOptions load = LoadOptions.cpu().withDevice("cpu").withDtype("float32").withHub(hub.settings());
        // s3:// models are only copied on executors; their rows need width/height or --width/--height.
        int modelSize = parameters.sizeGiven() || model.startsWith("s3") ? 512
                : ModelInspector.defaultImageSize(location, load);
        GenerationDefaults defaults = parameters.applyTo(GenerationDefaults.DIFFUSERS, modelSize);
        Preset preset = parameters.preset();
        try {
            new PromptValidator(defaults);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path cache = modelCache != null ? modelCache
                : Path.of(System.getProperty("user.home"), ".cache", "ldmforge", "models");
        return new JobOptions(input, output, model, device, dtype, batchSize, attentionChunk, defaults,
                strict ? PromptValidator.UnknownFields.REJECT : PromptValidator.UnknownFields.IGNORE, s3,
                cache.toString(), declared, hub, retryFloat32, failFirstAttempt,
                preset == null ? null : preset.description(), initImages,
                trust.maxInitImageBytes, trust.maxLoadedModels, outputs.settings());
    }
}
