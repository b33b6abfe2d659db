package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {

    @Test
    void recordsRoundTrip() throws InvalidRecordException {
        assertEquals(Samples.promptRequest(), JsonCodec.read(JsonCodec.write(Samples.promptRequest()),
                PromptRequest.class));
        assertEquals(Samples.generatedImage(), JsonCodec.read(JsonCodec.write(Samples.generatedImage()),
                GeneratedImage.class));
        assertEquals(Samples.deadLetter(),
                JsonCodec.read(JsonCodec.write(Samples.deadLetter()), DeadLetter.class));
    }

    @Test
    void writesPlainJsonWithSchemaFieldNames() {
        String json = JsonCodec.write(Samples.deadLetter());
        assertEquals("{\"request_id\":null,\"error_code\":\"MALFORMED_AVRO\",\"error_message\":\"record: 3 bytes are"
                + " not a PromptRequest Avro datum\",\"original\":null,\"original_bytes\":\"AP8Q\","
                + "\"source_file\":null,\"source_row\":null,\"topic\":\"prompts\",\"partition\":3,\"offset\":1234567,"
                + "\"failed_at\":1795000000999}", json);
    }

    @Test
    void normalisedRequestSurvivesJsonAndValidationUnchanged() throws InvalidRecordException {
        PromptRequest request = Samples.promptRequest();
        Validation again = new PromptValidator(GenerationDefaults.DIFFUSERS)
                .validate(JsonCodec.readFields(JsonCodec.write(request)));
        assertEquals(request, assertInstanceOf(Validation.Accepted.class, again).request());
    }

    @Test
    void readFieldsKeepsNumbersExact() throws InvalidRecordException {
        Map<String, Object> fields = JsonCodec.readFields(
                ("{\"prompt\":\"a\",\"guidance_scale\":7.1,\"seed\":9223372036854775807,\"width\":512,"
                        + "\"m\":{\"k\":\"v\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(0, new BigDecimal("7.1").compareTo((BigDecimal) fields.get("guidance_scale")));
        assertEquals(Long.MAX_VALUE, fields.get("seed"));
        assertEquals(512, fields.get("width"));
        assertEquals(Map.of("k", "v"), fields.get("m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"prompt\": \"a\",}", "[{\"prompt\": \"a\"}]", "\"a cat\"", "null",
            "{\"prompt\": \"a\"} {\"prompt\": \"b\"}", "{\"prompt\": \"a\", \"prompt\": \"b\"}", "{'prompt': 'a'}",
            "{\"prompt\": NaN}"})
    void malformedJsonIsRejected(String json) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> JsonCodec.readFields(json));
        assertEquals(ErrorCode.MALFORMED_JSON, e.code());
        assertTrue(e.getMessage().startsWith("record: "), e.getMessage());
    }

    @Test
    void invalidUtf8IsMalformedNotReplaced() {
        byte[] bytes = {'{', '"', 'p', '"', ':', '"', (byte) 0xc3, '"', '}'};
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> JsonCodec.readFields(bytes));
        assertEquals(ErrorCode.MALFORMED_JSON, e.code());
    }

    @Test
    void malformedMessageShowsTheValueCut() {
        String json = "{\"prompt\": \"" + "x".repeat(5000);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> JsonCodec.readFields(json));
        assertTrue(e.getMessage().length() < 400, e.getMessage());
        assertTrue(e.getMessage().contains("line 1 column"), e.getMessage());
    }

    @Test
    void typedReadNamesTheField() {
        InvalidRecordException wrong = assertThrows(InvalidRecordException.class, () -> JsonCodec.read(
                JsonCodec.write(Samples.generatedImage()).replace("\"width\":640", "\"width\":\"640\""),
                GeneratedImage.class));
        assertEquals(ErrorCode.WRONG_TYPE, wrong.code());
        assertEquals("width: expected int, got \"640\"", wrong.getMessage());
        InvalidRecordException missing = assertThrows(InvalidRecordException.class,
                () -> JsonCodec.read("{\"error_code\":\"NAN_IMAGE\"}", DeadLetter.class));
        assertEquals(ErrorCode.MISSING_FIELD, missing.code());
        assertEquals("error_message: missing", missing.getMessage());
    }
}
