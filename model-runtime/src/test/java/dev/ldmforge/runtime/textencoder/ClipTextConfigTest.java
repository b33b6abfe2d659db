package dev.ldmforge.runtime.textencoder;

import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTextConfigTest {

    @Test
    void readsTheTinySdConfig() {
        ClipTextConfig c = ClipTextConfig.read(Fixtures.path("tiny-sd/text_encoder/config.json"));
        assertEquals(new ClipTextConfig(32, 37, 5, 4, 77, 49408, ClipActivation.QUICK_GELU, 1e-5, 32, 0, 2, 1), c);
    }

    @Test
    void absentFieldsTakeTransformersDefaults() {
        ClipTextConfig c = ClipTextConfig.from(JsonConfig.parse("{}", "config.json"));
        assertEquals(new ClipTextConfig(512, 2048, 12, 8, 77, 49408, ClipActivation.QUICK_GELU, 1e-5, 512, 49406,
                49407, 1), c);
    }

    @Test
    void unknownActivationNamesFileFieldAndValue() {
        assertError("{\"hidden_act\": \"relu\"}", "hidden_act", "relu");
    }

    @Test
    void headsMustDivideTheHiddenSize() {
        assertError("{\"hidden_size\": 30, \"num_attention_heads\": 4}", "num_attention_heads", "4");
    }

    @Test
    void aFullClipConfigIsNotATextConfig() {
        assertError("{\"model_type\": \"clip\"}", "model_type", "clip");
    }

    private static void assertError(String json, String field, String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClipTextConfig.from(JsonConfig.parse(json, "text_encoder/config.json")));
        assertTrue(e.getMessage().contains("text_encoder/config.json") && e.getMessage().contains(field)
                && e.getMessage().contains(value), e.getMessage());
    }
}
