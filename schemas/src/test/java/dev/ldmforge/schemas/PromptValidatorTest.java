package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PromptValidatorTest {
    private static final PromptValidator VALIDATOR = new PromptValidator(GenerationDefaults.DIFFUSERS);

    /** {@code {"prompt": "a red circle", k1: v1, ...}}; later keys override, null values allowed. */
    static Map<String, Object> request(Object... keyValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("prompt", "a red circle");
        for (int i = 0; i < keyValues.length; i += 2) {
            fields.put((String) keyValues[i], keyValues[i + 1]);
        }
        return fields;
    }

    static PromptRequest accepted(Map<String, ?> fields) {
        return assertInstanceOf(Validation.Accepted.class, VALIDATOR.validate(fields)).request();
    }

    static Stream<Arguments> rejections() {
        String longPrompt = "x".repeat(4097);
        return Stream.of(
                Arguments.of(new LinkedHashMap<>(Map.of("width", 512)), ErrorCode.MISSING_FIELD, "prompt: missing"),
                Arguments.of(request("prompt", null), ErrorCode.MISSING_FIELD, "prompt: missing"),
                Arguments.of(request("prompt", 5), ErrorCode.WRONG_TYPE, "prompt: expected a string, got number 5"),
                Arguments.of(request("prompt", " \t\n"), ErrorCode.BLANK_PROMPT, "prompt: \" \t\n\" is blank"),
                Arguments.of(request("prompt", longPrompt), ErrorCode.PROMPT_TOO_LONG,
                        "prompt: 4097 characters, more than 4096"),
                Arguments.of(request("negative_prompt", longPrompt), ErrorCode.PROMPT_TOO_LONG,
                        "negative_prompt: 4097"),
                Arguments.of(request("negative_prompt", List.of("blurry")), ErrorCode.WRONG_TYPE,
                        "negative_prompt: expected a string, got list [blurry]"),
                Arguments.of(request("request_id", "../etc"), ErrorCode.INVALID_REQUEST_ID, "request_id: \"../etc\""),
                Arguments.of(request("request_id", "a/b"), ErrorCode.INVALID_REQUEST_ID, "request_id: \"a/b\""),
                Arguments.of(request("request_id", "r".repeat(129)), ErrorCode.INVALID_REQUEST_ID, "request_id"),
                Arguments.of(request("num_inference_steps", 0), ErrorCode.INVALID_STEPS,
                        "num_inference_steps: 0 is outside 1..1000"),
                Arguments.of(request("num_inference_steps", 1001), ErrorCode.INVALID_STEPS, "1001 is outside 1..1000"),
                Arguments.of(request("num_inference_steps", "fifty"), ErrorCode.WRONG_TYPE,
                        "num_inference_steps: expected a number, got string \"fifty\""),
                Arguments.of(request("num_inference_steps", 50.5), ErrorCode.WRONG_TYPE,
                        "num_inference_steps: expected an integer, got number 50.5"),
                Arguments.of(request("num_inference_steps", "50.5"), ErrorCode.WRONG_TYPE, "an integer"),
                Arguments.of(request("num_inference_steps", " 50"), ErrorCode.WRONG_TYPE, "a number"),
                Arguments.of(request("num_inference_steps", true), ErrorCode.WRONG_TYPE, "got boolean true"),
                Arguments.of(request("guidance_scale", -0.5), ErrorCode.INVALID_GUIDANCE,
                        "guidance_scale: -0.5 is outside 0..50"),
                Arguments.of(request("guidance_scale", "50.01"), ErrorCode.INVALID_GUIDANCE, "\"50.01\" is outside"),
                Arguments.of(request("guidance_scale", "1e400"), ErrorCode.INVALID_GUIDANCE, "guidance_scale"),
                Arguments.of(request("guidance_scale", Double.NaN), ErrorCode.WRONG_TYPE, "got number NaN"),
                Arguments.of(request("guidance_scale", "seven"), ErrorCode.WRONG_TYPE, "guidance_scale"),
                Arguments.of(request("width", 513), ErrorCode.INVALID_WIDTH,
                        "width: 513 is not a multiple of 8 in 32..2048"),
                Arguments.of(request("width", 24), ErrorCode.INVALID_WIDTH, "width: 24"),
                Arguments.of(request("width", 2056), ErrorCode.INVALID_WIDTH, "width: 2056"),
                Arguments.of(request("width", new BigDecimal("1e999999999")), ErrorCode.INVALID_WIDTH, "1E+999999999"),
                Arguments.of(request("height", 1000.5), ErrorCode.WRONG_TYPE, "height: expected an integer"),
                Arguments.of(request("height", 4096), ErrorCode.INVALID_HEIGHT, "height: 4096"),
                Arguments.of(request("height", 100), ErrorCode.INVALID_HEIGHT, "height: 100"),
                Arguments.of(request("seed", -1), ErrorCode.INVALID_SEED, "seed: -1 is outside"),
                Arguments.of(request("seed", BigInteger.ONE.shiftLeft(63)), ErrorCode.INVALID_SEED,
                        "seed: 9223372036854775808"),
                Arguments.of(request("num_images_per_prompt", 0), ErrorCode.INVALID_NUM_IMAGES,
                        "num_images_per_prompt: 0 is outside 1..64"),
                Arguments.of(request("num_images_per_prompt", 65), ErrorCode.INVALID_NUM_IMAGES, "65"),
                Arguments.of(request("scheduler", "k_euler"), ErrorCode.UNKNOWN_SCHEDULER,
                        "scheduler: \"k_euler\" is not one of ddim, pndm"),
                Arguments.of(request("scheduler", 3), ErrorCode.WRONG_TYPE, "scheduler"),
                Arguments.of(request("model", 3), ErrorCode.WRONG_TYPE, "model: expected a string"),
                Arguments.of(request("init_image_uri", "in.png", "strength", 0), ErrorCode.INVALID_STRENGTH,
                        "strength: 0 is outside (0, 1]"),
                Arguments.of(request("init_image_uri", "in.png", "strength", 1.5), ErrorCode.INVALID_STRENGTH,
                        "strength: 1.5"),
                Arguments.of(request("strength", 0.5), ErrorCode.INVALID_STRENGTH,
                        "strength: 0.5 given without init_image_uri"),
                Arguments.of(request("metadata", Map.of("source", 7)), ErrorCode.WRONG_TYPE,
                        "metadata.source: expected a string, got number 7"),
                Arguments.of(request("metadata", "{not json"), ErrorCode.WRONG_TYPE, "metadata: expected a map"),
                Arguments.of(request("metadata", List.of("a")), ErrorCode.WRONG_TYPE, "metadata: expected a map"),
                Arguments.of(request("prompt_2", longPrompt), ErrorCode.PROMPT_TOO_LONG, "prompt_2: 4097"),
                Arguments.of(request("negative_prompt_2", 7), ErrorCode.WRONG_TYPE,
                        "negative_prompt_2: expected a string, got number 7"),
                Arguments.of(request("timestep_spacing", "sideways"), ErrorCode.INVALID_SCHEDULER_OPTIONS,
                        "timestep_spacing: \"sideways\" is not one of leading, linspace, trailing"),
                Arguments.of(request("timestep_spacing", 1), ErrorCode.WRONG_TYPE, "timestep_spacing"),
                Arguments.of(request("use_karras_sigmas", "yes"), ErrorCode.WRONG_TYPE,
                        "use_karras_sigmas: expected a boolean, got string \"yes\""),
                Arguments.of(request("use_karras_sigmas", 1), ErrorCode.WRONG_TYPE, "use_karras_sigmas"));
    }

    @ParameterizedTest
    @MethodSource("rejections")
    void rejectsWithStableCodeAndMessageNamingFieldAndValue(Map<String, Object> fields, ErrorCode code,
            String messagePart) {
        Validation.Rejected rejected = assertInstanceOf(Validation.Rejected.class, VALIDATOR.validate(fields));
        assertEquals(code, rejected.code(), rejected.message());
        assertTrue(rejected.message().contains(messagePart), rejected.message());
    }

    @Test
    void everyValidationCodeIsExercised() {
        Set<ErrorCode> seen = rejections().map(a -> (ErrorCode) a.get()[1]).collect(Collectors.toSet());
        seen.add(ErrorCode.UNKNOWN_FIELD); // strictModeRejectsUnknownFields
        EnumSet<ErrorCode> expected = EnumSet.range(ErrorCode.MISSING_FIELD, ErrorCode.INVALID_STRENGTH);
        expected.add(ErrorCode.INVALID_SCHEDULER_OPTIONS);
        assertEquals(expected, seen);
    }

    @Test
    void fillsDiffusersDefaults() {
        PromptRequest r = accepted(request());
        assertEquals("a red circle", r.prompt());
        assertEquals(null, r.negativePrompt(), "absent stays absent: SDXL tells it from \"\"");
        assertEquals(50, r.numInferenceSteps());
        assertEquals(7.5, r.guidanceScale());
        assertEquals(512, r.width());
        assertEquals(512, r.height());
        assertEquals(1, r.numImagesPerPrompt());
        assertEquals(null, r.scheduler());
        assertEquals(null, r.model());
        assertEquals(null, r.strength());
        assertEquals(null, r.initImageUri());
        assertEquals(Map.of(), r.metadata());
        assertEquals(RequestIds.derive(new PromptRequest(null, "a red circle", null, 50, 7.5, 512, 512, null, 1,
                null, null, null, null, Map.of(), null, null, null, null)), r.requestId());
        assertEquals(RequestIds.seedFor(r.requestId()), r.seed());
    }

    @Test
    void readsTheLaterFields() {
        PromptRequest r = accepted(request("prompt_2", "a photo", "negative_prompt_2", "", "timestep_spacing",
                "Trailing", "use_karras_sigmas", "TRUE", "negative_prompt", ""));
        assertEquals(List.of("a photo", "", "trailing", true, ""), List.of(r.prompt2(), r.negativePrompt2(),
                r.timestepSpacing(), r.useKarrasSigmas(), r.negativePrompt()));
        PromptRequest job = assertInstanceOf(Validation.Accepted.class, new PromptValidator(GenerationDefaults.DIFFUSERS
                .withTimestepSpacing("linspace").withUseKarrasSigmas(false).withNegativePrompt("blurry"))
                .validate(request())).request();
        assertEquals(List.of("linspace", false, "blurry"), List.of(job.timestepSpacing(), job.useKarrasSigmas(),
                job.negativePrompt()));
        PromptRequest other = assertInstanceOf(Validation.Accepted.class, new PromptValidator(GenerationDefaults
                .DIFFUSERS.withScheduler("euler-ancestral").withTimestepSpacing("trailing").withUseKarrasSigmas(false))
                .validate(request("scheduler", "lcm"))).request();
        assertEquals(Arrays.asList("lcm", null, null), Arrays.asList(other.scheduler(), other.timestepSpacing(),
                other.useKarrasSigmas()), "a row's own scheduler does not inherit the job's scheduler options");
        assertEquals(null, accepted(request()).prompt2());
        assertEquals(false, accepted(request("use_karras_sigmas", false)).useKarrasSigmas());
    }

    @Test
    void usesTheCallersDefaults() {
        GenerationDefaults sd2 = GenerationDefaults.DIFFUSERS.withSize(768, 768).withSteps(25).withGuidanceScale(9);
        PromptRequest r = assertInstanceOf(Validation.Accepted.class,
                new PromptValidator(sd2).validate(request())).request();
        assertEquals(List.of(768, 768, 25, 9.0), List.of(r.width(), r.height(), r.numInferenceSteps(),
                r.guidanceScale()));
    }

    @Test
    void rejectsDefaultsThatBreakTheRules() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PromptValidator(GenerationDefaults.DIFFUSERS.withSize(500, 512)));
        assertTrue(e.getMessage().contains("width: 500"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PromptValidator(
                new GenerationDefaults(50, 7.5, 512, 512, 1, 0.0, null, null, null, null)));
    }

    @Test
    void keepsGivenValuesAtTheEdgesOfEveryRange() {
        PromptRequest r = accepted(request("request_id", "batch-7.row_12", "prompt", "é".repeat(4096),
                "negative_prompt", "blurry", "num_inference_steps", 1000, "guidance_scale", 0, "width", 32,
                "height", 2048, "seed", Long.MAX_VALUE, "num_images_per_prompt", 64, "scheduler", "dpmpp-2m-karras",
                "model", "sd15", "strength", 1, "init_image_uri", "s3://b/in.png"));
        assertEquals(new PromptRequest("batch-7.row_12", "é".repeat(4096), "blurry", 1000, 0.0, 32, 2048,
                Long.MAX_VALUE, 64, "dpmpp-2m-karras", "sd15", 1.0, "s3://b/in.png", Map.of(), null, null, null, null), r);
        assertEquals(1, accepted(request("num_inference_steps", 1)).numInferenceSteps());
        assertEquals(50.0, accepted(request("guidance_scale", 50)).guidanceScale());
        assertEquals(0L, accepted(request("seed", 0)).seed());
    }

    @Test
    void promptLengthCountsCharactersNotUtf16Units() {
        assertEquals(8192, accepted(request("prompt", "😀".repeat(4096))).prompt().length());
    }

    @Test
    void csvStringsThatParseExactlyAreNumbers() {
        PromptRequest r = accepted(request("num_inference_steps", "30", "guidance_scale", "7.5", "width", "640",
                "height", "384.0", "seed", "42", "num_images_per_prompt", "2"));
        assertEquals(List.of(30, 7.5, 640, 384, 42L, 2),
                List.of(r.numInferenceSteps(), r.guidanceScale(), r.width(), r.height(), r.seed(),
                        r.numImagesPerPrompt()));
    }

    @Test
    void integralDoublesAndBigNumbersAreIntegers() {
        PromptRequest r = accepted(request("num_inference_steps", 30.0, "width", new BigDecimal("640.00"),
                "seed", BigInteger.valueOf(7), "height", 320L));
        assertEquals(List.of(30, 640, 7L, 320), List.of(r.numInferenceSteps(), r.width(), r.seed(), r.height()));
        assertEquals(7.1, accepted(request("guidance_scale", 7.1f)).guidanceScale(), "float read by its decimal form");
    }

    @Test
    void avroUtf8StringsAreStrings() {
        PromptRequest r = accepted(request("prompt", new Utf8("a cat"), "metadata",
                Map.of(new Utf8("k"), new Utf8("v"))));
        assertEquals("a cat", r.prompt());
        assertEquals(Map.of("k", "v"), r.metadata());
    }

    @Test
    void blankOptionalValuesAreAbsentLikeAnEmptyCsvCell() {
        PromptRequest r = accepted(request("request_id", "", "scheduler", " ", "model", "", "init_image_uri", "",
                "num_inference_steps", "", "guidance_scale", " ", "width", "", "height", "", "seed", "",
                "num_images_per_prompt", "", "strength", "", "metadata", ""));
        assertEquals(accepted(request()), r);
        assertEquals(List.of(), Stream.of(r.scheduler(), r.model(), r.initImageUri(), r.strength())
                .filter(v -> v != null).toList());
    }

    @Test
    void schedulerNamesAreCaseInsensitive() {
        for (String name : PromptValidator.SCHEDULERS) {
            assertEquals(name, accepted(request("scheduler", name.toUpperCase())).scheduler());
        }
    }

    @Test
    void img2imgGetsTheDefaultStrength() {
        assertEquals(0.8, accepted(request("init_image_uri", "file:///in.png")).strength());
    }

    @Test
    void metadataIsCarriedThroughUntouched() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z-last", "  spaces kept  ");
        metadata.put("a", "");
        metadata.put("unicode", "東京 ✓");
        PromptRequest r = accepted(request("metadata", metadata));
        assertEquals(metadata, r.metadata());
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(r.metadata().keySet()), "order kept");
        assertEquals(Map.of("dataset", "coco", "row", "12"),
                accepted(request("metadata", "{\"dataset\":\"coco\",\"row\":\"12\"}")).metadata(), "CSV cell JSON");
    }

    @Test
    void unknownFieldsAreIgnoredByDefault() {
        assertEquals(accepted(request()), accepted(request("colour", "red", "Width", 640)));
    }

    @Test
    void strictModeRejectsUnknownFields() {
        PromptValidator strict = new PromptValidator(GenerationDefaults.DIFFUSERS,
                PromptValidator.UnknownFields.REJECT);
        Validation.Rejected rejected = assertInstanceOf(Validation.Rejected.class,
                strict.validate(request("widht", 640, "colour", "red")));
        assertEquals(ErrorCode.UNKNOWN_FIELD, rejected.code());
        assertEquals("colour: unknown field (value \"red\")", rejected.message());
        assertInstanceOf(Validation.Accepted.class, strict.validate(request("width", 640)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prompt", "request_id", "scheduler"})
    void longValuesAreCutInMessages(String field) {
        Validation.Rejected rejected = assertInstanceOf(Validation.Rejected.class,
                VALIDATOR.validate(request(field, field.equals("prompt") ? "p".repeat(10_000) : "?".repeat(10_000))));
        assertTrue(rejected.message().length() < 250, rejected.message());
        assertTrue(rejected.message().contains("(10000 chars)"), rejected.message());
    }

    @Test
    void givenSeedIsKeptAndIsPartOfTheId() {
        PromptRequest seeded = accepted(request("seed", 1234));
        assertEquals(1234L, seeded.seed());
        assertTrue(!seeded.requestId().equals(accepted(request()).requestId()));
    }
}
