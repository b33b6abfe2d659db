package dev.ldmforge.schemas;

import java.io.Serializable;

/**
 * Values the validator fills in for absent fields. {@link #DIFFUSERS} holds diffusers' pipeline defaults; callers
 * replace what the model or the command line says otherwise (e.g. 768×768 for SD 2.x-v: the UNet's
 * {@code sample_size} × 8). Serializable: Spark ships it to the executors that validate.
 *
 * @param strength        used for img2img requests ({@code init_image_uri} set) that give no strength (diffusers: 0.8)
 * @param scheduler       scheduler for requests that name none; null = the model's own
 * @param negativePrompt  negative prompt for requests that give none; null = none (diffusers' {@code None})
 * @param timestepSpacing {@code timestep_spacing} for requests that give none; null = the scheduler's config
 * @param useKarrasSigmas {@code use_karras_sigmas} for requests that give none; null = the scheduler's config
 */
public record GenerationDefaults(
        int numInferenceSteps, double guidanceScale, int width, int height, int numImagesPerPrompt, double strength,
        String scheduler, String negativePrompt, String timestepSpacing, Boolean useKarrasSigmas)
        implements Serializable {

    public static final GenerationDefaults DIFFUSERS =
            new GenerationDefaults(50, 7.5, 512, 512, 1, 0.8, null, null, null, null);

    public GenerationDefaults withSize(int newWidth, int newHeight) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, newWidth, newHeight, numImagesPerPrompt,
                strength, scheduler, negativePrompt, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withSteps(int steps) {
        return new GenerationDefaults(steps, guidanceScale, width, height, numImagesPerPrompt, strength, scheduler,
                negativePrompt, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withGuidanceScale(double guidance) {
        return new GenerationDefaults(numInferenceSteps, guidance, width, height, numImagesPerPrompt, strength,
                scheduler, negativePrompt, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withNumImagesPerPrompt(int images) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, images, strength, scheduler,
                negativePrompt, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withScheduler(String name) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, numImagesPerPrompt, strength,
                name, negativePrompt, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withNegativePrompt(String text) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, numImagesPerPrompt, strength,
                scheduler, text, timestepSpacing, useKarrasSigmas);
    }

    public GenerationDefaults withTimestepSpacing(String spacing) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, numImagesPerPrompt, strength,
                scheduler, negativePrompt, spacing, useKarrasSigmas);
    }

    public GenerationDefaults withUseKarrasSigmas(Boolean karras) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, numImagesPerPrompt, strength,
                scheduler, negativePrompt, timestepSpacing, karras);
    }
}
