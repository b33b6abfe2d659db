package dev.ldmforge.runtime.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.unet.AddedConditions;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;

/**
 * Random inputs of one UNet step as a pipeline makes them: latents, 77 text states per image and, for an SDXL UNet
 * (text_time), the pooled text embedding and the time ids of a square image of the latents' size in pixels.
 */
record UNetInputs(NDArray sample, NDArray text, AddedConditions added) {
    static final int TEXT_TOKENS = 77;
    private static final int TIME_IDS = 6;

    /** Draws from the engine's seeded generator; {@code pixels} is the image size the time ids describe. */
    static UNetInputs random(UNet2DConditionConfig c, int batch, int size, int pixels, NDManager m) {
        NDArray sample = m.randomNormal(new Shape(batch, c.inChannels(), size, size));
        NDArray text = m.randomNormal(new Shape(batch, TEXT_TOKENS, c.crossAttentionDim()[0]));
        AddedConditions added = null;
        if (UNet2DConditionConfig.TEXT_TIME.equals(c.additionEmbedType())) {
            int pooled = c.projectionClassEmbeddingsInputDim() - TIME_IDS * c.additionTimeEmbedDim();
            float[] ids = new float[batch * TIME_IDS];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(new float[] {pixels, pixels, 0, 0, pixels, pixels}, 0, ids, b * TIME_IDS, TIME_IDS);
            }
            added = new AddedConditions(m.randomNormal(new Shape(batch, pooled)),
                    m.create(ids, new Shape(batch, TIME_IDS)));
        }
        return new UNetInputs(sample, text, added);
    }
}
