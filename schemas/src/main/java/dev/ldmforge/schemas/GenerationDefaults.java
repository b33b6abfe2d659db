package dev.ldmforge.schemas;

/**
 * Values the validator fills in for absent fields. {@link #DIFFUSERS} holds diffusers' pipeline defaults; callers
 * replace what the model or the command line says otherwise (e.g. 768×768 for SD 2.x-v: the UNet's
 * {@code sample_size} × 8).
 *
 * @param strength used for img2img requests ({@code init_image_uri} set) that give no strength (diffusers: 0.8)
 */
public record GenerationDefaults(
        int numInferenceSteps, double guidanceScale, int width, int height, int numImagesPerPrompt, double strength)
        implements java.io.Serializable {

    public static final GenerationDefaults DIFFUSERS = new GenerationDefaults(50, 7.5, 512, 512, 1, 0.8);

    public GenerationDefaults withSize(int width, int height) {
        return new GenerationDefaults(numInferenceSteps, guidanceScale, width, height, numImagesPerPrompt, strength);
    }

    public GenerationDefaults withSteps(int steps) {
        return new GenerationDefaults(steps, guidanceScale, width, height, numImagesPerPrompt, strength);
    }

    public GenerationDefaults withGuidanceScale(double guidance) {
        return new GenerationDefaults(numInferenceSteps, guidance, width, height, numImagesPerPrompt, strength);
    }
}
