package dev.ldmforge.runtime.pipeline;

/**
 * One generated image, or why it failed.
 *
 * @param requestIndex position of its request in the list given to the pipeline
 * @param imageIndex   index within the request (0 .. num_images_per_prompt - 1)
 * @param seed         the seed this image's generator was seeded with (request seed + imageIndex)
 * @param image        8-bit RGB, rounded exactly as diffusers' {@code numpy_to_pil}: round(clip(x,0,1) * 255);
 *                     null when {@code failure} is set
 * @param pixels       the float image before 8-bit rounding, HWC in [0,1] (diffusers' {@code output_type="np"})
 * @param failure      null for a good image
 */
public record ImageOutput(int requestIndex, int imageIndex, long seed, RgbImage image, float[] pixels,
                          StageTimings timings, GenerationFailure failure) {

    public boolean ok() {
        return failure == null;
    }
}
