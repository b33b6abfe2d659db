package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.util.List;

/**
 * Which diffusers pipeline a model is for, told by {@code model_index.json}'s {@code _class_name} (or, for a single
 * file, by its text encoder keys): Stable Diffusion 1.x/2.x, or Stable Diffusion XL with its second text encoder.
 */
public enum PipelineType {
    STABLE_DIFFUSION("StableDiffusionPipeline", List.of(PipelineComponent.UNET, PipelineComponent.VAE,
            PipelineComponent.TEXT_ENCODER, PipelineComponent.TOKENIZER, PipelineComponent.SCHEDULER)),
    STABLE_DIFFUSION_XL("StableDiffusionXLPipeline", List.of(PipelineComponent.UNET, PipelineComponent.VAE,
            PipelineComponent.TEXT_ENCODER, PipelineComponent.TOKENIZER, PipelineComponent.TEXT_ENCODER_2,
            PipelineComponent.TOKENIZER_2, PipelineComponent.SCHEDULER));

    private static final String XL_PREFIX = "StableDiffusionXL";

    private final String className;
    private final List<PipelineComponent> components;

    PipelineType(String className, List<PipelineComponent> components) {
        this.className = className;
        this.components = components;
    }

    /** diffusers' text-to-image pipeline class of this type. */
    public String className() {
        return className;
    }

    /** The components a model of this type has, in the order diffusers' model_index.json lists them. */
    public List<PipelineComponent> components() {
        return components;
    }

    /**
     * The type of a {@code model_index.json}: every {@code StableDiffusionXL*Pipeline} is SDXL, anything else is
     * read as Stable Diffusion 1.x/2.x (whose img2img and inpainting folders share the layout). The SDXL refiner
     * (no first text encoder, aesthetic-score conditioning) is refused.
     */
    static PipelineType of(JsonConfig modelIndex) {
        String name = modelIndex.string("_class_name", "");
        if (!name.startsWith(XL_PREFIX)) {
            return STABLE_DIFFUSION;
        }
        boolean noTextEncoder = modelIndex.node().path("text_encoder").path(0).isNull();
        if (noTextEncoder || modelIndex.bool("requires_aesthetics_score", false)) {
            throw new WeightsException(modelIndex.source() + ": " + name + " without text_encoder or with "
                    + "requires_aesthetics_score is the SDXL refiner, which is not supported (the SDXL base and its "
                    + "fine-tunes are)");
        }
        return STABLE_DIFFUSION_XL;
    }
}
