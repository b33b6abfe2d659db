package dev.ldmforge.jobs.cli;

import dev.ldmforge.schemas.GenerationDefaults;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * The generation parameters every command takes, named as diffusers names them: for txt2img the request itself, for
 * the batch and streaming jobs the defaults of rows that leave a field empty.
 */
public final class ParameterOptions {
    @Option(names = "--negative-prompt", description = "what to steer away from (used when guidance > 1)")
    String negativePrompt;

    @Option(names = "--steps", paramLabel = "N", description = "num_inference_steps (default 50)")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", description = "guidance_scale (default 7.5; <= 1 disables CFG)")
    Double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim, pndm, ddpm, euler, euler-ancestral, lms, dpmpp-2m, dpmpp-2m-karras, lcm "
                    + "(default: the model's own)")
    String scheduler;

    @Option(names = "--width", description = "multiple of 8 (default: the model's size)")
    Integer width;

    @Option(names = "--height", description = "multiple of 8 (default: the model's size)")
    Integer height;

    @Option(names = "--num-images", paramLabel = "N", description = "num_images_per_prompt (default 1)")
    Integer numImages;

    @Option(names = "--timestep-spacing", paramLabel = "SPACING",
            description = "leading, linspace or trailing (default: the scheduler's config)")
    String timestepSpacing;

    @Option(names = "--use-karras-sigmas", arity = "0..1", paramLabel = "true|false",
            description = "Karras sigmas, for the schedulers that take them (default: the scheduler's config)")
    Boolean useKarrasSigmas;

    @Mixin
    PresetOptions presets;

    /** The given values as validator fields (absent ones null). */
    void putFields(Map<String, Object> fields) {
        fields.put("negative_prompt", negativePrompt);
        fields.put("num_inference_steps", steps);
        fields.put("guidance_scale", guidance);
        fields.put("width", width);
        fields.put("height", height);
        fields.put("num_images_per_prompt", numImages);
        fields.put("scheduler", scheduler);
        fields.put("timestep_spacing", timestepSpacing);
        fields.put("use_karras_sigmas", useKarrasSigmas);
    }

    /** The chosen {@code --preset}, or null. */
    public Preset preset() {
        return presets == null ? null : presets.preset();
    }

    /**
     * {@code base} with the preset's settings, if one is chosen. A preset's spacing belongs to its scheduler: with an
     * explicit {@code --scheduler} it is left out.
     */
    public GenerationDefaults presetDefaults(GenerationDefaults base) {
        Preset p = preset();
        if (p == null) {
            return base;
        }
        GenerationDefaults d = p.applyTo(base);
        return scheduler != null ? d.withTimestepSpacing(base.timestepSpacing()) : d;
    }

    /**
     * {@code base} with the preset, then every given value; the size falls back to {@code modelSize} (the model's
     * default).
     */
    public GenerationDefaults applyTo(GenerationDefaults base, int modelSize) {
        GenerationDefaults d = presetDefaults(base).withSize(width != null ? width : modelSize,
                height != null ? height : modelSize);
        if (steps != null) {
            d = d.withSteps(steps);
        }
        if (guidance != null) {
            d = d.withGuidanceScale(guidance);
        }
        if (numImages != null) {
            d = d.withNumImagesPerPrompt(numImages);
        }
        if (scheduler != null) {
            d = d.withScheduler(scheduler);
        }
        if (negativePrompt != null) {
            d = d.withNegativePrompt(negativePrompt);
        }
        if (timestepSpacing != null) {
            d = d.withTimestepSpacing(timestepSpacing.toLowerCase(java.util.Locale.ROOT));
        }
        if (useKarrasSigmas != null) {
            d = d.withUseKarrasSigmas(useKarrasSigmas);
        }
        return d;
    }

    /** Whether both sides of the image size were given (then the model need not be asked for its default). */
    public boolean sizeGiven() {
        return width != null && height != null;
    }
}
