package dev.ldmforge.runtime.weights;

import java.util.Collection;

/**
 * Stable Diffusion generation of an original checkpoint, told by its text encoder: SD 1.x conditions on OpenAI
 * CLIP ViT-L ({@code cond_stage_model.transformer.*}), SD 2.x on OpenCLIP ViT-H ({@code cond_stage_model.model.*}),
 * SDXL on both CLIP ViT-L ({@code conditioner.embedders.0.transformer.*}) and OpenCLIP bigG
 * ({@code conditioner.embedders.1.model.*}).
 */
public enum ModelFamily {
    SD1, SD2, SDXL;

    private static final String SGM_CONDITIONER = "conditioner.embedders.";

    /** The pipeline this family's checkpoints load as. */
    public PipelineType pipelineType() {
        return this == SDXL ? PipelineType.STABLE_DIFFUSION_XL : PipelineType.STABLE_DIFFUSION;
    }

    static ModelFamily detect(Collection<String> keys, String file) {
        if (keys.stream().anyMatch(k -> k.startsWith(SGM_CONDITIONER))) {
            boolean clip = keys.stream().anyMatch(k -> k.startsWith(ClipTextKeyMap.SDXL_ROOT));
            boolean openClip = keys.stream().anyMatch(k -> k.startsWith(OpenClipTextKeyMap.SDXL_ROOT));
            if (clip && openClip) {
                return SDXL;
            }
            throw new WeightsException(file + ": an SGM checkpoint (conditioner.embedders.*) without both SDXL text "
                    + "encoders (" + ClipTextKeyMap.SDXL_ROOT + "* and " + OpenClipTextKeyMap.SDXL_ROOT + "*); "
                    + "the SDXL refiner, which has only the second, is not supported");
        }
        boolean sd1 = keys.stream().anyMatch(k -> k.startsWith(ClipTextKeyMap.ROOT));
        boolean sd2 = keys.stream().anyMatch(k -> k.startsWith(OpenClipTextKeyMap.ROOT));
        if (sd1 == sd2) {
            throw new WeightsException(file + ": not a Stable Diffusion checkpoint: "
                    + (sd1 ? "it holds both CLIP (cond_stage_model.transformer.*) and OpenCLIP "
                    + "(cond_stage_model.model.*) text encoder weights"
                    : "no text encoder weights (cond_stage_model.transformer.*, cond_stage_model.model.* or "
                    + "conditioner.embedders.*)"));
        }
        return sd1 ? SD1 : SD2;
    }
}
