package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    private static final PromptValidator VALIDATOR = new PromptValidator(GenerationDefaults.DIFFUSERS);

    private static PromptRequest normalise(Map<String, ?> fields) {
        return assertInstanceOf(Validation.Accepted.class, VALIDATOR.validate(fields)).request();
    }

    @Test
    void canonicalFormIsDocumentedJsonArray() {
        PromptRequest r = new PromptRequest(null, "a \"red\" circle", null, 50, 7.5, 512, 512, null, 1, null, null,
                null, null, Map.of("ignored", "yes"), null, null, null, null);
        assertEquals("[\"ldmforge.request.v1\",\"a \\\"red\\\" circle\",\"\",50,7.5,512,512,null,1,"
                + "null,null,null,null]",
                RequestIds.canonical(r));
    }

    @Test
    void laterFieldsFollowOnlyWhenSet() {
        PromptRequest r = new PromptRequest(null, "a cat", "", 50, 7.5, 1024, 1024, null, 1, "euler", null,
                null, null, Map.of(), "a photo", "blurry", "trailing", false);
        assertEquals("[\"ldmforge.request.v1\",\"a cat\",\"\",50,7.5,1024,1024,null,1,\"euler\",null,null,null,"
                + "{\"negative_prompt_empty\":true,\"prompt_2\":\"a photo\",\"negative_prompt_2\":\"blurry\","
                + "\"timestep_spacing\":\"trailing\",\"use_karras_sigmas\":false}]", RequestIds.canonical(r));
    }

    @Test
    void emptyNegativePromptIsNotAnAbsentOne() {
        assertNotEquals(normalise(Map.of("prompt", "a cat")).requestId(),
                normalise(Map.of("prompt", "a cat", "negative_prompt", "")).requestId());
    }

    /** Expected values computed independently with Python's hashlib and json.dumps(separators=(",", ":")). */
    @Test
    void idAndSeedAreFixedForAFixedRequest() {
        PromptRequest r = normalise(Map.of("prompt", "a red circle on a blue background"));
        assertEquals("r-797884f92a221f9292e42d336f1949c3", r.requestId());
        assertEquals(1158495384760579190L, r.seed());
    }

    @Test
    void idIgnoresFieldOrderAndMetadata() {
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("prompt", "a cat");
        forward.put("width", 640);
        forward.put("seed", 7);
        Map<String, Object> backward = new LinkedHashMap<>();
        backward.put("metadata", Map.of("source", "other.csv"));
        backward.put("seed", "7");
        backward.put("width", 640.0);
        backward.put("prompt", "a cat");
        assertEquals(normalise(forward).requestId(), normalise(backward).requestId());
    }

    @Test
    void defaultsSpelledOutGiveTheSameId() {
        assertEquals(normalise(Map.of("prompt", "a cat")).requestId(), normalise(Map.of("prompt", "a cat",
                "num_inference_steps", 50, "guidance_scale", 7.5, "width", 512, "height", 512,
                "num_images_per_prompt", 1)).requestId());
    }

    @Test
    void everyImageDefiningFieldChangesTheId() {
        String base = normalise(Map.of("prompt", "a cat")).requestId();
        for (Map<String, Object> changed : List.<Map<String, Object>>of(
                Map.of("prompt", "a dog"), Map.of("negative_prompt", "x"), Map.of("num_inference_steps", 49),
                Map.of("guidance_scale", 7), Map.of("width", 520), Map.of("height", 520), Map.of("seed", 0),
                Map.of("num_images_per_prompt", 2), Map.of("scheduler", "ddim"), Map.of("model", "m"),
                Map.of("init_image_uri", "x.png"), Map.of("init_image_uri", "x.png", "strength", 0.5),
                Map.of("prompt_2", "a dog"), Map.of("negative_prompt_2", "x"), Map.of("timestep_spacing", "trailing"),
                Map.of("use_karras_sigmas", true), Map.of("use_karras_sigmas", false))) {
            Map<String, Object> fields = new LinkedHashMap<>(Map.of("prompt", "a cat"));
            fields.putAll(changed);
            assertNotEquals(base, normalise(fields).requestId(), changed.toString());
        }
    }

    @Test
    void givenIdIsKeptAndDrivesTheSeed() {
        PromptRequest r = normalise(Map.of("prompt", "a cat", "request_id", "row-1"));
        assertEquals("row-1", r.requestId());
        assertEquals(RequestIds.seedFor("row-1"), r.seed());
        assertTrue(r.seed() >= 0);
    }

    @Test
    void derivedSeedIsNonNegative63Bit() {
        assertEquals(1112841141360953933L, RequestIds.seedFor("row-1"));
        for (int i = 0; i < 1000; i++) {
            assertTrue(RequestIds.seedFor("id-" + i) >= 0);
        }
    }
}
