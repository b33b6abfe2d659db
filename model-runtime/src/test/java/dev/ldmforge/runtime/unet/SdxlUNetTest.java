package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.Manifests;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDXL UNets: tiny-sdxl's with added conditions (text_embeds, time_ids) against diffusers 0.25.1 (unet noise_pred
 * atol 1e-4), and the real SDXL base config declaring exactly the manifest's state dict.
 */
class SdxlUNetTest {
    private static final double ATOL = 1e-4;
    private static final float[] TIMESTEPS = {999f, 420.5f};

    @Test
    void matchesDiffusersWithAddedConditions() {
        UNet2DConditionConfig config = UNet2DConditionConfig.read(Fixtures.path("tiny-sdxl/unet/config.json"));
        assertEquals(UNet2DConditionConfig.TEXT_TIME, config.additionEmbedType());
        assertArrayEquals(new int[] {1, 2}, config.transformerLayersPerBlock());
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sdxl-refs.safetensors"));
             SafetensorsFile weights = SafetensorsFile.open(
                     Fixtures.path("tiny-sdxl/unet/diffusion_pytorch_model.safetensors"))) {
            Parameters params = new Parameters();
            UNet2DConditionModel unet = new UNet2DConditionModel(config, params);
            params.load(weights, m, DataType.FLOAT32, key -> false);
            NDArray sample = refs.load("unet.sample", m, DataType.FLOAT32);
            NDArray text = refs.load("unet.encoder_hidden_states", m, DataType.FLOAT32);
            AddedConditions added = new AddedConditions(refs.load("unet.text_embeds", m, DataType.FLOAT32),
                    refs.load("unet.time_ids", m, DataType.FLOAT32));
            for (int i = 0; i < TIMESTEPS.length; i++) {
                NDArray expected = refs.load("unet.t" + i + ".noise_pred", m, DataType.FLOAT32);
                int before = m.getManagedArrays().size();
                NDArray actual = unet.forward(sample, TIMESTEPS[i], text, added);
                assertEquals(before + 1, m.getManagedArrays().size(), "only the result survives the call");
                System.out.printf("sdxl unet.t%d.noise_pred max|diff| %.3g%n", i,
                        TensorAssert.maxAbsDiff(expected, actual));
                TensorAssert.assertClose(expected, actual, ATOL, "unet.t" + i + ".noise_pred");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> unet.forward(sample, 999f, text));
            assertTrue(e.getMessage().contains("text_embeds"), e.getMessage());
        }
    }

    @Test
    void sdxlBaseConfigDeclaresExactlyTheDiffusersStateDict() {
        JsonNode manifest = Manifests.component("sdxl-base", "unet");
        UNet2DConditionConfig c = UNet2DConditionConfig.from(Manifests.config(manifest, "sdxl-base"));
        assertArrayEquals(new int[] {5, 10, 20}, c.attentionHeads());
        assertArrayEquals(new int[] {1, 2, 10}, c.transformerLayersPerBlock());
        assertEquals(256, c.additionTimeEmbedDim());
        Parameters params = new Parameters();
        new UNet2DConditionModel(c, params);
        Manifests.assertSameStateDict(manifest, params, "sdxl-base unet");
        assertEquals(2_567_463_684L, params.count());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "addition_time_embed_dim | null",
        "projection_class_embeddings_input_dim | 0",
        "addition_embed_type | \"text_image\""})
    void incompleteTextTimeConfigsAreRefusedByName(String field, String json) throws Exception {
        ObjectNode node = JsonConfig.read(Fixtures.path("tiny-sdxl/unet/config.json")).node().deepCopy();
        node.set(field, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        ConfigException e = assertThrows(ConfigException.class,
                () -> UNet2DConditionConfig.from(new JsonConfig(node, "xl/unet/config.json")));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
