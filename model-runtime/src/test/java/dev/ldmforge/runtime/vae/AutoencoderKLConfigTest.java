package dev.ldmforge.runtime.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.Manifests;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoencoderKLConfigTest {

    @ParameterizedTest
    @CsvSource({"sd15, 0.18215", "sd21base, 0.18215", "sdxl-base, 0.13025"})
    void realSizeConfigDeclaresExactlyTheDiffusersStateDict(String model, double scalingFactor) {
        JsonNode manifest = Manifests.component(model, "vae");
        Parameters params = new Parameters();
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.from(Manifests.config(manifest, model)), params);
        Manifests.assertSameStateDict(manifest, params, model + " vae");
        assertEquals(83_653_863L, params.count());
        assertEquals(scalingFactor, vae.scalingFactor(), 0);
        assertTrue(vae.config().forceUpcast());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "down_block_types | [\"DownEncoderBlock2D\", \"AttnDownEncoderBlock2D\"]",
        "up_block_types | [\"UpDecoderBlock2D\"]",
        "norm_num_groups | 24",
        "act_fn | \"relu\"",
        "use_quant_conv | false",
        "shift_factor | 0.1159",
        "latents_mean | [0, 0, 0, 0]",
        "some_future_field | 1"})
    void unsupportedValuesAreRefusedByName(String field, String json) throws Exception {
        ObjectNode node = JsonConfig.read(Fixtures.path("tiny-sd/vae/config.json")).node().deepCopy();
        node.set(field, new ObjectMapper().readTree(json));
        ConfigException e = assertThrows(ConfigException.class,
                () -> AutoencoderKLConfig.from(new JsonConfig(node, "test/vae/config.json")));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
