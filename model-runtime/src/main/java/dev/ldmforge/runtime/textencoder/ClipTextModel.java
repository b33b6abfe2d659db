package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.LayerNorm;
import dev.ldmforge.runtime.nn.Scope;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' {@code CLIPTextModel} (the SD text encoder): token and position embeddings, a stack of pre-norm
 * transformer layers under a causal mask, a final layer norm. Parameter keys are the transformers state-dict keys
 * ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, ...). Each call computes in its own sub-manager
 * and returns its results in the input ids' manager.
 */
public final class ClipTextModel {
    /** A buffer (always 0 .. max-1) some checkpoints carry and others omit; not a parameter. */
    public static final String POSITION_IDS = "text_model.embeddings.position_ids";

    private final ClipTextConfig config;
    private final ClipTextEmbeddings embeddings;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;

    /** Declares every parameter under {@code root}; load them with {@code Parameters.load(..., ClipTextModel::isBuffer)}. */
    public ClipTextModel(ClipTextConfig config, Scope root) {
        this.config = config;
        Scope textModel = root.child("text_model");
        this.embeddings = new ClipTextEmbeddings(textModel.child("embeddings"), config);
        Scope encoderLayers = textModel.child("encoder").child("layers");
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(encoderLayers.child(i), config));
        }
        this.finalLayerNorm = new LayerNorm(textModel.child("final_layer_norm"), config.hiddenSize(),
                config.layerNormEps());
    }

    public ClipTextConfig config() {
        return config;
    }

    /** Keys a checkpoint may hold besides the parameters. */
    public static boolean isBuffer(String key) {
        return key.equals(POSITION_IDS);
    }

    /**
     * {@code CLIPTextModel(input_ids, output_hidden_states=True)} without attention mask, as the SD pipelines call
     * it: ids [B, L] (int64) -> the last hidden state, the pooled output and {@code hidden_states[-2]}.
     */
    public ClipTextOutput forward(NDArray inputIds) {
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            inputIds.tempAttach(scope);
            NDArray penultimate = hiddenStates(inputIds, layers.size() - 1);
            NDArray last = finalLayerNorm.forward(layers.get(layers.size() - 1).forward(penultimate,
                    causalMask(scope, inputIds.getShape().get(1), penultimate.getDataType())));
            NDArray pooled = last.reshape(-1, config.hiddenSize()).get(scope.create(endTokenRows(inputIds)));
            last.attach(caller);
            pooled.attach(caller);
            penultimate.attach(caller);
            return new ClipTextOutput(last, pooled, penultimate);
        }
    }

    /**
     * transformers' {@code hidden_states[index]} without the final layer norm: the embeddings (0) or the output of
     * layer {@code index}; only the first {@code index} layers run. SDXL conditions on {@code hidden_states[-2]}.
     */
    public NDArray hiddenState(NDArray inputIds, int index) {
        if (index < 0 || index > layers.size()) {
            throw new IllegalArgumentException("hidden state " + index + " is outside [0, " + layers.size()
                    + "] for a text encoder with " + layers.size() + " layers");
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            inputIds.tempAttach(scope);
            NDArray state = hiddenStates(inputIds, index);
            state.attach(caller);
            return state;
        }
    }

    /**
     * The prompt embeddings with diffusers' {@code clip_skip}: 0 gives {@code last_hidden_state}; k > 0 gives
     * {@code final_layer_norm(hidden_states[-(k + 1)])}, the output of layer N - k (the last k layers are not run).
     */
    public NDArray encode(NDArray inputIds, int clipSkip) {
        if (clipSkip < 0 || clipSkip > layers.size()) {
            throw new IllegalArgumentException("clip_skip " + clipSkip + " is outside [0, " + layers.size()
                    + "] for a text encoder with " + layers.size() + " layers");
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager()) {
            inputIds.tempAttach(scope);
            NDArray embeds = finalLayerNorm.forward(hiddenStates(inputIds, layers.size() - clipSkip));
            embeds.attach(caller);
            return embeds;
        }
    }

    /** {@code hidden_states[n]}: the embeddings (n = 0) or the output of layer n, before the final layer norm. */
    private NDArray hiddenStates(NDArray inputIds, int n) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(1) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("input ids must be [batch, length <= "
                    + config.maxPositionEmbeddings() + "], got " + inputIds.getShape());
        }
        NDArray x = embeddings.forward(inputIds);
        NDArray mask = causalMask(inputIds.getManager(), shape.get(1), x.getDataType());
        for (int i = 0; i < n; i++) {
            x = layers.get(i).forward(x, mask);
        }
        return x;
    }

    /** Additive [L, L] mask: the lowest finite float above the diagonal, as transformers builds it. */
    private static NDArray causalMask(NDManager manager, long length, DataType dtype) {
        int l = (int) length;
        float[] mask = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = i + 1; j < l; j++) {
                mask[i * l + j] = -Float.MAX_VALUE;
            }
        }
        NDArray m = manager.create(mask, new Shape(length, length));
        return dtype == DataType.FLOAT32 ? m : m.toType(dtype, false);
    }

    /**
     * Row index (in the flattened [B·L] hidden states) of each sequence's end token. transformers 4.33: with the
     * legacy {@code eos_token_id} 2 it takes the largest id (CLIP's end token has the largest id), otherwise the first
     * {@code eos_token_id}.
     */
    private long[] endTokenRows(NDArray inputIds) {
        long batch = inputIds.getShape().get(0);
        int length = (int) inputIds.getShape().get(1);
        long[] ids = inputIds.toType(DataType.INT64, false).toLongArray();
        long[] rows = new long[(int) batch];
        for (int b = 0; b < batch; b++) {
            int best = 0;
            for (int i = 0; i < length; i++) {
                long id = ids[b * length + i];
                boolean better = config.eosTokenId() == 2 ? id > ids[b * length + best]
                        : id == config.eosTokenId() && ids[b * length + best] != config.eosTokenId();
                if (better) {
                    best = i;
                }
            }
            rows[b] = (long) b * length + best;
        }
        return rows;
    }
}
