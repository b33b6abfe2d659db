package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.Manifests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building UNets from configs: real-size manifests, refused configs, and a variant with every list-valued field. */
class UNet2DConditionConfigTest {

    @ParameterizedTest
    @CsvSource({"sd15, 859520964", "sd21base, 865910724"})
    void realSizeConfigsDeclareExactlyTheDiffusersStateDict(String model, long count) {
        JsonNode manifest = Manifests.component(model, "unet");
        Parameters params = new Parameters();
        new UNet2DConditionModel(UNet2DConditionConfig.from(Manifests.config(manifest, model)), params);
        Manifests.assertSameStateDict(manifest, params, model + " unet");
        assertEquals(count, params.count());
    }

    @Test
    void sd21HeadCountsComeFromAttentionHeadDim() {
        UNet2DConditionConfig c = UNet2DConditionConfig.from(Manifests.config(Manifests.component("sd21base", "unet"),
                "sd21base"));
        assertArrayEquals(new int[] {5, 10, 20, 20}, c.attentionHeads());
        assertTrue(c.useLinearProjection());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "resnet_time_scale_shift | \"scale_shift\"",
        "addition_embed_type | \"text\"",
        "class_embed_type | \"timestep\"",
        "time_embedding_type | \"fourier\"",
        "mid_block_type | \"UNetMidBlock2DSimpleCrossAttn\"",
        "mid_block_type | null",
        "down_block_types | [\"DownBlock2D\", \"AttnDownBlock2D\"]",
        "up_block_types | [\"CrossAttnUpBlock2D\", \"KUpBlock2D\"]",
        "norm_num_groups | 24",
        "num_attention_heads | 8",
        "dual_cross_attention | true",
        "attention_type | \"gated\"",
        "encoder_hid_dim | 64",
        "time_cond_proj_dim | 256",
        "transformer_layers_per_block | [[1, 2], [1, 2]]",
        "only_cross_attention | [true]",
        "act_fn | \"gelu\"",
        "some_future_field | 1"})
    void unsupportedValuesAreRefusedByName(String field, String json) throws Exception {
        JsonConfig tiny = JsonConfig.read(Fixtures.path("tiny-sd/unet/config.json"));
        ObjectNode node = tiny.node().deepCopy();
        node.set(field, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        ConfigException e = assertThrows(ConfigException.class,
                () -> UNet2DConditionConfig.from(new JsonConfig(node, "test/unet/config.json")));
        assertTrue(e.getMessage().contains(field), e.getMessage());
        assertTrue(e.getMessage().contains("test/unet/config.json"), e.getMessage());
    }

    /**
     * A shape of UNet no fixture covers: linear projections, per-level head counts, 3 levels, 2 transformer layers
     * per block, only-cross-attention on one level, per-level cross-attention widths; and an input size (18) that is
     * not a multiple of the total down-scaling (4), which exercises diffusers' upsample_size path.
     */
    @Test
    void unseenVariantRunsWithRandomWeights() throws Exception {
        String json = """
                {"block_out_channels": [16, 32, 32], "layers_per_block": [1, 2, 1], "norm_num_groups": 8,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
                 "attention_head_dim": [2, 4, 4], "use_linear_projection": true, "transformer_layers_per_block": 2,
                 "only_cross_attention": [false, true, false], "cross_attention_dim": [24, 24, 24],
                 "in_channels": 4, "out_channels": 4, "upcast_attention": true, "mid_block_scale_factor": 1.5}""";
        UNet2DConditionConfig config = UNet2DConditionConfig.from(JsonConfig.parse(json, "variant"));
        Parameters params = new Parameters();
        UNet2DConditionModel unet = new UNet2DConditionModel(config, params, 50);
        assertTrue(params.get("down_blocks.0.attentions.0.transformer_blocks.1.attn2.to_k.weight") != null);
        assertEquals(new Shape(16, 16), params.get("down_blocks.0.attentions.0.proj_in.weight").shape());
        assertEquals(new Shape(32, 24), params.get("down_blocks.1.attentions.1.transformer_blocks.0.attn1.to_k.weight")
                .shape(), "only_cross_attention: attn1 reads the text states");
        try (NDManager m = NDManager.newBaseManager()) {
            params.initRandom(m, DataType.FLOAT32, 7,
                    (p, mm, seed) -> mm.randomNormal(0f, 0.1f, p.shape(), DataType.FLOAT32));
            NDArray sample = m.randomNormal(new Shape(2, 4, 18, 18));
            NDArray text = m.randomNormal(new Shape(2, 7, 24));
            NDArray out = unet.forward(sample, m.create(new float[] {10f, 750.5f}), text);
            assertEquals(new Shape(2, 4, 18, 18), out.getShape());
            assertTrue(out.isNaN().logicalOr(out.isInfinite()).none().getBoolean(), "finite output");
            assertTrue(out.abs().max().getFloat() > 0, "non-trivial output");
        }
    }
}
