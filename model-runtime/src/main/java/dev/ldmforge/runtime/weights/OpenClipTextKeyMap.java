package dev.ldmforge.runtime.weights;

import java.util.List;
import java.util.Map;

/**
 * SD 2.x text encoder keys: OpenCLIP ({@code cond_stage_model.model.*}) to transformers {@code CLIPTextModel}. The
 * fused attention input projection {@code in_proj_weight/bias} [3C, ...] is split into q/k/v; resblocks from
 * {@code layers} on are dropped (SD 2 conditions on the penultimate layer, so diffusers keeps 23 of OpenCLIP-H's
 * 24), as are the parts CLIPTextModel has no use for (projection, logit scale, attention mask, vision tower).
 * SDXL's second text encoder ({@link #SDXL_ROOT}, OpenCLIP bigG) becomes a {@code CLIPTextModelWithProjection}:
 * all its resblocks are kept and {@code text_projection} ({@code x @ P}) is the transposed linear weight.
 */
final class OpenClipTextKeyMap {

    static final String ROOT = "cond_stage_model.model.";
    static final String SDXL_ROOT = "conditioner.embedders.1.model.";
    static final String TEXT_PROJECTION = "text_projection";
    static final String RESBLOCKS = "transformer.resblocks.";

    private static final Map<String, List<String>> LAYER = Map.of(
            "ln_1", List.of("layer_norm1"),
            "ln_2", List.of("layer_norm2"),
            "mlp.c_fc", List.of("mlp.fc1"),
            "mlp.c_proj", List.of("mlp.fc2"),
            "attn.out_proj", List.of("self_attn.out_proj"),
            "attn.in_proj_weight", List.of("self_attn.q_proj.weight", "self_attn.k_proj.weight",
                    "self_attn.v_proj.weight"),
            "attn.in_proj_bias", List.of("self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias"));

    private OpenClipTextKeyMap() {
    }

    static OriginalKeyMapper create(int layers) {
        return create(ROOT, layers, false);
    }

    /** @param projection map {@code text_projection} (SDXL's CLIPTextModelWithProjection) instead of ignoring it */
    static OriginalKeyMapper create(String root, int layers, boolean projection) {
        OriginalKeyMapper m = new OriginalKeyMapper(root)
                .module("token_embedding", "text_model.embeddings.token_embedding")
                .module("positional_embedding", "text_model.embeddings.position_embedding.weight")
                .module("ln_final", "text_model.final_layer_norm")
                .ignore(path -> !projection && path.equals(TEXT_PROJECTION) || path.equals("logit_scale")
                        || path.equals("attn_mask") || path.startsWith("visual."))
                .ignore(path -> path.startsWith(RESBLOCKS) && layerIndex(path) >= layers);
        if (projection) {
            m.transposed(TEXT_PROJECTION, "text_projection.weight");
        }
        for (int i = 0; i < layers; i++) {
            m.module(RESBLOCKS + i, "text_model.encoder.layers." + i, LAYER);
        }
        return m;
    }

    /** The resblock number of a key under {@code transformer.resblocks.}, -1 if it has none. */
    static int layerIndex(String path) {
        String rest = path.substring(RESBLOCKS.length());
        int dot = rest.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
