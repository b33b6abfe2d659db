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

/** Real-size text encoders built from their config alone declare exactly the state dict diffusers ships. */
class ClipTextModelManifestTest {

    @ParameterizedTest
    @CsvSource({"sd15, 123060480, QUICK_GELU, 12", "sd21base, 340387840, GELU, 23"})
    void keysShapesAndCountMatchTheManifest(String model, long count, ClipActivation act, int layers)
            throws IOException {
        JsonNode manifest = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("manifests/" + model + ".json").toFile()).get("text_encoder");
        ClipTextConfig config = ClipTextConfig.from(
                new JsonConfig(manifest.get("config.json"), model + " text_encoder/config.json"));
        assertEquals(act, config.hiddenAct());
        assertEquals(layers, config.numHiddenLayers());

        Parameters params = new Parameters();
        new ClipTextModel(config, params.root());
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
