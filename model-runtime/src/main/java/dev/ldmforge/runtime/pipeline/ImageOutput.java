package dev.ldmforge.runtime.pipeline;

/**
 * One generated image.
 *
 * @param requestIndex position of its request in the list given to the pipeline
 * @param imageIndex   index within the request (0 .. num_images_per_prompt - 1)
 * @param seed         the seed this image's generator was seeded with (request seed + imageIndex)
 * @param image        8-bit RGB, rounded exactly as diffusers' {@code numpy_to_pil}: round(clip(x,0,1) * 255)
 * @param pixels       the float image before 8-bit rounding, HWC in [0,1] (diffusers' {@code output_type="np"})
 */
public record ImageOutput(int requestIndex, int imageIndex, long seed, RgbImage image, float[] pixels,
                          StageTimings timings) {
}
