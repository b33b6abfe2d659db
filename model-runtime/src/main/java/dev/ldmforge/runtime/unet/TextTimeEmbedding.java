package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Scope;

/**
 * The UNet's {@code addition_embed_type: "text_time"} (SDXL): {@code add_time_proj} embeds every time id as a
 * sinusoid of {@code addition_time_embed_dim} channels, those are concatenated after the pooled text embedding, and
 * {@code add_embedding} (a {@link TimestepEmbedding}) maps the result onto the time embedding it is added to.
 */
final class TextTimeEmbedding {
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final int inputDim;

    TextTimeEmbedding(Scope root, UNet2DConditionConfig config) {
        this.addTimeProj = new Timesteps(config.additionTimeEmbedDim(), config.flipSinToCos(), config.freqShift());
        this.inputDim = config.projectionClassEmbeddingsInputDim();
        this.addEmbedding = new TimestepEmbedding(root.child("add_embedding"), inputDim, config.timeEmbedDim());
    }

    /** [B, time_embed_dim], to be added to the timestep embedding. */
    NDArray forward(AddedConditions added, DataType dtype) {
        if (added == null) {
            throw new IllegalArgumentException("this UNet has addition_embed_type text_time: it needs the pooled "
                    + "text embeddings and time ids (added_cond_kwargs text_embeds, time_ids)");
        }
        long batch = added.textEmbeds().getShape().get(0);
        NDArray timeEmbeds = addTimeProj.forward(added.timeIds().reshape(-1)).reshape(batch, -1);
        NDArray addEmbeds = added.textEmbeds().toType(DataType.FLOAT32, false).concat(timeEmbeds, -1);
        if (addEmbeds.getShape().get(1) != inputDim) {
            throw new IllegalArgumentException("text_embeds " + added.textEmbeds().getShape() + " and time_ids "
                    + added.timeIds().getShape() + " give " + addEmbeds.getShape().get(1) + " add_embedding inputs "
                    + "but projection_class_embeddings_input_dim is " + inputDim);
        }
        return addEmbedding.forward(addEmbeds.toType(dtype, false));
    }
}
