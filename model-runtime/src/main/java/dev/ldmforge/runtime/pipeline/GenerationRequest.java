package dev.ldmforge.runtime.pipeline;

/**
 * One prompt's generation parameters, named as in diffusers. Image {@code i} of the request is drawn with seed
 * {@code seed + i} (diffusers with a list of CPU generators seeded {@code seed + i}), so image 0 of a multi-image
 * request equals the single-image request.
 *
 * @param negativePrompt  null when none was given: SD 1.x/2.x encode it as "", SDXL uses zero embeddings
 *                        ({@code force_zeros_for_empty_prompt}) but encodes an explicit ""
 * @param scheduler       a scheduler name ({@code ddim}, {@code euler}, ...) or null for the model's own scheduler
 * @param strength        img2img strength in (0, 1], or null for txt2img
 * @param initImage       img2img init image (resized by the caller to width × height), or null
 * @param latents         explicit initial latents (the generator then only draws step noise), or null
 * @param prompt2         SDXL's prompt for the second text encoder, null = prompt
 * @param negativePrompt2 SDXL's negative prompt for the second text encoder, null = negativePrompt
 * @param timestepSpacing {@code leading}, {@code linspace} or {@code trailing}; null = the scheduler's config
 * @param useKarrasSigmas null = the scheduler's config
 */
public record GenerationRequest(
        String prompt,
        String negativePrompt,
        int numInferenceSteps,
        double guidanceScale,
        int width,
        int height,
        long seed,
        int numImagesPerPrompt,
        String scheduler,
        Double strength,
        RgbImage initImage,
        Latents latents,
        String prompt2,
        String negativePrompt2,
        String timestepSpacing,
        Boolean useKarrasSigmas) {

    public GenerationRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is required");
        }
        if (width % 8 != 0 || height % 8 != 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive multiples of 8, got " + width + "x"
                    + height);
        }
        if (numInferenceSteps < 1) {
            throw new IllegalArgumentException("num_inference_steps must be at least 1, got " + numInferenceSteps);
        }
        if (numImagesPerPrompt < 1) {
            throw new IllegalArgumentException("num_images_per_prompt must be at least 1, got " + numImagesPerPrompt);
        }
        if ((strength == null) != (initImage == null)) {
            throw new IllegalArgumentException("img2img needs both strength and an init image");
        }
        if (strength != null && !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
        }
    }

    /** A request without SDXL's second prompts and with the scheduler's own timestep options. */
    public GenerationRequest(String prompt, String negativePrompt, int numInferenceSteps, double guidanceScale,
                             int width, int height, long seed, int numImagesPerPrompt, String scheduler,
                             Double strength, RgbImage initImage, Latents latents) {
        this(prompt, negativePrompt, numInferenceSteps, guidanceScale, width, height, seed, numImagesPerPrompt,
                scheduler, strength, initImage, latents, null, null, null, null);
    }

    /** The same request for one image of its own (image {@code index} of this one) with the given latents. */
    public GenerationRequest single(long imageSeed, Latents imageLatents) {
        return new GenerationRequest(prompt, negativePrompt, numInferenceSteps, guidanceScale, width, height,
                imageSeed, 1, scheduler, strength, initImage, imageLatents, prompt2, negativePrompt2, timestepSpacing,
                useKarrasSigmas);
    }

    /** The negative prompt as SD 1.x/2.x encode it: an absent one is "". */
    public String negativePromptOrEmpty() {
        return negativePrompt == null ? "" : negativePrompt;
    }

    /** A txt2img request with diffusers' defaults for everything but prompt, size, seed and steps. */
    public static GenerationRequest txt2img(String prompt, int width, int height, long seed, int steps) {
        return new GenerationRequest(prompt, null, steps, 7.5, width, height, seed, 1, null, null, null, null);
    }

    public boolean doClassifierFreeGuidance() {
        return guidanceScale > 1.0;
    }

    public boolean isImg2Img() {
        return initImage != null;
    }
}
