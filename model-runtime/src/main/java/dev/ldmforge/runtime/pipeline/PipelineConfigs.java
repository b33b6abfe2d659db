package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.textencoder.ClipActivation;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.PipelineComponent;
import dev.ldmforge.runtime.weights.PipelineType;
import dev.ldmforge.runtime.weights.WeightsException;

/**
 * The configs a pipeline is built from, as a diffusers folder holds them.
 *
 * @param text2                    SDXL's text_encoder_2 (CLIPTextModelWithProjection), null for SD 1.x/2.x
 * @param forceZerosForEmptyPrompt SDXL's model_index.json option (ignored for SD 1.x/2.x)
 */
record PipelineConfigs(PipelineType type, ClipTextConfig text, ClipTextConfig text2, UNet2DConditionConfig unet,
                       AutoencoderKLConfig vae, JsonConfig scheduler, boolean forceZerosForEmptyPrompt) {

    /** The number of SDXL time ids: original size, crop top-left and target size, two numbers each. */
    static final int TIME_IDS = 6;

    static PipelineConfigs read(PipelineCheckpoint checkpoint) {
        boolean xl = checkpoint.type() == PipelineType.STABLE_DIFFUSION_XL;
        return new PipelineConfigs(checkpoint.type(),
                ClipTextConfig.from(checkpoint.config(PipelineComponent.TEXT_ENCODER)),
                xl ? ClipTextConfig.from(checkpoint.config(PipelineComponent.TEXT_ENCODER_2)) : null,
                UNet2DConditionConfig.from(checkpoint.config(PipelineComponent.UNET)),
                AutoencoderKLConfig.from(checkpoint.config(PipelineComponent.VAE)),
                checkpoint.config(PipelineComponent.SCHEDULER), checkpoint.forceZerosForEmptyPrompt());
    }

    boolean xl() {
        return type == PipelineType.STABLE_DIFFUSION_XL;
    }

    /**
     * {@code SDXL}, or for Stable Diffusion {@code SD1} (OpenAI CLIP, quick_gelu) or {@code SD2} (OpenCLIP as
     * diffusers ships it, gelu).
     */
    String family() {
        if (xl()) {
            return "SDXL";
        }
        return text.hiddenAct() == ClipActivation.QUICK_GELU ? "SD1" : "SD2";
    }

    /** Refuses components that do not fit together, before any weight is read (diffusers fails later, or not). */
    void check(String id) {
        int context = xl() ? text.hiddenSize() + text2.hiddenSize() : text.hiddenSize();
        String what = xl() ? "text_encoder + text_encoder_2 hidden sizes " + text.hiddenSize() + " + "
                + text2.hiddenSize() : "text encoder hidden_size " + text.hiddenSize();
        for (int dim : unet.crossAttentionDim()) {
            if (dim != context) {
                throw new WeightsException(id + ": " + what + " != unet cross_attention_dim " + dim);
            }
        }
        boolean textTime = UNet2DConditionConfig.TEXT_TIME.equals(unet.additionEmbedType());
        if (textTime != xl()) {
            throw new WeightsException(id + ": a " + type.className() + " needs a UNet "
                    + (xl() ? "with" : "without") + " addition_embed_type \"text_time\", the unet config has "
                    + unet.additionEmbedType());
        }
        if (xl()) {
            int passed = unet.additionTimeEmbedDim() * TIME_IDS + text2.projectionDim();
            if (passed != unet.projectionClassEmbeddingsInputDim()) {
                throw new WeightsException(id + ": model expects an added time embedding vector of length "
                        + unet.projectionClassEmbeddingsInputDim() + " (projection_class_embeddings_input_dim), "
                        + "but " + TIME_IDS + " time ids x addition_time_embed_dim " + unet.additionTimeEmbedDim()
                        + " + text_encoder_2 projection_dim " + text2.projectionDim() + " give " + passed);
            }
        }
    }
}
