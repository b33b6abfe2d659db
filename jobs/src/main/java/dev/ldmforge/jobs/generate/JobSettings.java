package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.spark.SparkSessions;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ModelInspector;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator;
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
    @Option(names = "--model", defaultValue = "tiny",
            description = "tiny, a diffusers folder, a .safetensors file, or s3://... (default: ${DEFAULT-VALUE})")
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

    @Option(names = "--steps", description = "num_inference_steps for rows without one (default 50)")
    Integer steps;

    @Option(names = "--guidance", description = "guidance_scale for rows without one (default 7.5)")
    Double guidance;

    @Option(names = "--width", description = "width for rows without one (default: the model's size)")
    Integer width;

    @Option(names = "--height", description = "height for rows without one (default: the model's size)")
    Integer height;

    @Option(names = "--num-images", description = "num_images_per_prompt for rows without one (default 1)")
    Integer numImages;

    @Option(names = "--scheduler", description = "scheduler for rows without one (default: the model's own)")
    String scheduler;

    @Option(names = "--negative-prompt", description = "negative_prompt for rows without one")
    String negativePrompt;

    @Option(names = "--strict", description = "reject records with unknown fields (UNKNOWN_FIELD) instead of ignoring them")
    boolean strict;

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "node-local cache for s3:// models (default: ~/.cache/ldmforge/models)")
    Path modelCache;

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
        LoadOptions load = LoadOptions.cpu().withDevice("cpu").withDtype("float32");
        GenerationDefaults defaults = GenerationDefaults.DIFFUSERS;
        if (width == null || height == null) {
            int size = model.startsWith("s3") ? 512 : ModelInspector.defaultImageSize(model, load);
            defaults = defaults.withSize(width != null ? width : size, height != null ? height : size);
        } else {
            defaults = defaults.withSize(width, height);
        }
        if (steps != null) {
            defaults = defaults.withSteps(steps);
        }
        if (guidance != null) {
            defaults = defaults.withGuidanceScale(guidance);
        }
        if (numImages != null) {
            defaults = defaults.withNumImagesPerPrompt(numImages);
        }
        if (scheduler != null) {
            defaults = defaults.withScheduler(scheduler);
        }
        if (negativePrompt != null) {
            defaults = defaults.withNegativePrompt(negativePrompt);
        }
        try {
            new PromptValidator(defaults);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path cache = modelCache != null ? modelCache
                : Path.of(System.getProperty("user.home"), ".cache", "ldmforge", "models");
        return new JobOptions(input, output, model, device, dtype, batchSize, attentionChunk, defaults,
                strict ? PromptValidator.UnknownFields.REJECT : PromptValidator.UnknownFields.IGNORE, s3,
                cache.toString(), failFirstAttempt);
    }
}
