package dev.ldmforge.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real-size model manifests in fixtures/manifests: saved config.json, state-dict keys/shapes, counts. */
public final class Manifests {
    private Manifests() {
    }

    /** One component ("unet", "vae", "text_encoder") of manifests/{@code model}.json. */
    public static JsonNode component(String model, String component) {
        try {
            return new ObjectMapper().readTree(Fixtures.path("manifests/" + model + ".json").toFile()).get(component);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonConfig config(JsonNode component, String what) {
        return new JsonConfig(component.get("config.json"), what);
    }

    /** Asserts the declared parameters are exactly the manifest's keys and shapes, and the parameter count. */
    public static void assertSameStateDict(JsonNode component, Parameters params, String what) {
        Map<String, String> expected = new TreeMap<>();
        for (JsonNode entry : component.get("state_dict")) {
            long[] shape = new long[entry.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = entry.get("shape").get(i).asLong();
            }
            expected.put(entry.get("key").asText(), Arrays.toString(shape));
        }
        Map<String, String> actual = new TreeMap<>();
        for (Parameter p : params.all()) {
            actual.put(p.key(), Arrays.toString(p.shape().getShape()));
        }
        assertEquals(expected, actual, what + ": state-dict keys and shapes");
        assertEquals(component.get("n_parameters").asLong(), params.count(), what + ": parameter count");
    }
}
