package dev.ldmforge.runtime.pipeline;

/**
 * One prompt's generation parameters, named as in diffusers. Image {@code i} of the request is drawn with seed
 * {@code seed + i} (diffusers with a list of CPU generators seeded {@code seed + i}), so image 0 of a multi-image
 * request equals the single-image request.
 *
 * @param scheduler   a scheduler name ({@code ddim}, {@code euler}, ...) or null for the model's own scheduler
 * @param strength    img2img strength in (0, 1], or null for txt2img
 * @param initImage   img2img init image (resized by the caller to width × height), or null
 * @param latents     explicit initial latents (the generator then only draws step noise), or null
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
        Latents latents) {

    public GenerationRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is required");
        }
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
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

    /** A txt2img request with diffusers' defaults for everything but prompt, size, seed and steps. */
    public static GenerationRequest txt2img(String prompt, int width, int height, long seed, int steps) {
        return new GenerationRequest(prompt, "", steps, 7.5, width, height, seed, 1, null, null, null, null);
    }

    public boolean doClassifierFreeGuidance() {
        return guidanceScale > 1.0;
    }

    public boolean isImg2Img() {
        return initImage != null;
    }
}
