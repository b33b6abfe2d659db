package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;

/**
 * transformers' {@code CLIPTextModelWithProjection} (SDXL's {@code text_encoder_2}, OpenCLIP bigG): a
 * {@link ClipTextModel} under {@code text_model.*} and {@code text_projection} (no bias, hidden -> projection_dim)
 * applied to the pooled output, giving {@code text_embeds}.
 */
public final class ClipTextModelWithProjection {
    private final ClipTextModel textModel;
    private final Linear textProjection;

    /** The outputs: {@code textEmbeds} [B, projection_dim] and the text model's hidden states. */
    public record Output(NDArray textEmbeds, ClipTextOutput text) {
    }

    public ClipTextModelWithProjection(ClipTextConfig config, Scope root) {
        this.textModel = new ClipTextModel(config, root);
        this.textProjection = new Linear(root.child("text_projection"), config.hiddenSize(), config.projectionDim(),
                false);
    }

    public ClipTextConfig config() {
        return textModel.config();
    }

    /** {@code CLIPTextModelWithProjection(input_ids, output_hidden_states=True)}, without attention mask. */
    public Output forward(NDArray inputIds) {
        ClipTextOutput text = textModel.forward(inputIds);
        return new Output(textProjection.forward(text.pooledOutput()), text);
    }
}
