package dev.ldmforge.runtime.textencoder;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real-size text encoders built from their config alone declare exactly the state dict diffusers ships (SDXL's
 * text_encoder_2 is a CLIPTextModelWithProjection).
 */
class ClipTextModelManifestTest {

    @ParameterizedTest
    @CsvSource({"sd15, text_encoder, 123060480, QUICK_GELU, 12", "sd21base, text_encoder, 340387840, GELU, 23",
        "sdxl-base, text_encoder, 123060480, QUICK_GELU, 12", "sdxl-base, text_encoder_2, 694659840, GELU, 32"})
    void keysShapesAndCountMatchTheManifest(String model, String component, long count, ClipActivation act,
                                            int layers) throws IOException {
        JsonNode manifest = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("manifests/" + model + ".json").toFile()).get(component);
        ClipTextConfig config = ClipTextConfig.from(
                new JsonConfig(manifest.get("config.json"), model + " " + component + "/config.json"));
        assertEquals(act, config.hiddenAct());
        assertEquals(layers, config.numHiddenLayers());

        Parameters params = new Parameters();
        if (component.equals("text_encoder_2")) {
            new ClipTextModelWithProjection(config, params.root());
        } else {
            new ClipTextModel(config, params.root());
        }
        List<String> expected = new ArrayList<>();
        for (JsonNode entry : manifest.get("state_dict")) {
            expected.add(entry.get("key").asText() + " " + entry.get("shape"));
        }
        List<String> declared = new ArrayList<>();
        for (Parameter p : params.all()) {
            declared.add(p.key() + " " + Arrays.toString(p.shape().getShape()).replace(" ", ""));
        }
        assertEquals(expected, declared, "keys and shapes in state-dict order");
        assertEquals(count, params.count());
        assertEquals(manifest.get("n_parameters").asLong(), params.count());
    }
}
