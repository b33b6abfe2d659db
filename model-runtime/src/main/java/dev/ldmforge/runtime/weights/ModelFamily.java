package dev.ldmforge.runtime.weights;

import java.util.Collection;

/**
 * Stable Diffusion generation of an original checkpoint, told by its text encoder: SD 1.x conditions on OpenAI
 * CLIP ViT-L ({@code cond_stage_model.transformer.*}), SD 2.x on OpenCLIP ViT-H ({@code cond_stage_model.model.*}).
 */
public enum ModelFamily {
    SD1, SD2;

    static ModelFamily detect(Collection<String> keys, String file) {
        boolean sd1 = keys.stream().anyMatch(k -> k.startsWith(ClipTextKeyMap.ROOT));
        boolean sd2 = keys.stream().anyMatch(k -> k.startsWith(OpenClipTextKeyMap.ROOT));
        if (sd1 == sd2) {
            boolean sdxl = keys.stream().anyMatch(k -> k.startsWith("conditioner.embedders."));
            throw new WeightsException(file + ": not a Stable Diffusion 1.x/2.x checkpoint: "
                    + (sdxl ? "SDXL (conditioner.embedders.*) is not supported"
                    : sd1 ? "it holds both CLIP (cond_stage_model.transformer.*) and OpenCLIP "
                    + "(cond_stage_model.model.*) text encoder weights"
                    : "no text encoder weights (cond_stage_model.transformer.* or cond_stage_model.model.*)"));
        }
        return sd1 ? SD1 : SD2;
    }
}
