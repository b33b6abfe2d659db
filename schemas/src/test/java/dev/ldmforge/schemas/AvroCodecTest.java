package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    @Test
    void recordsRoundTrip() throws InvalidRecordException {
        assertEquals(Samples.promptRequest(), AvroCodec.read(AvroCodec.write(Samples.promptRequest()),
                PromptRequest.class));
        assertEquals(Samples.generatedImage(), AvroCodec.read(AvroCodec.write(Samples.generatedImage()),
                GeneratedImage.class));
        assertEquals(Samples.deadLetter(), AvroCodec.read(AvroCodec.write(Samples.deadLetter()), DeadLetter.class));
    }

    @Test
    void avroMessageValidatesLikeJson() throws InvalidRecordException {
        PromptRequest request = Samples.promptRequest();
        Validation fromAvro = new PromptValidator(GenerationDefaults.DIFFUSERS)
                .validate(AvroCodec.readFields(AvroCodec.write(request)));
        assertEquals(request, assertInstanceOf(Validation.Accepted.class, fromAvro).request());
    }

    @Test
    void minimalAvroRequestGetsDefaults() throws InvalidRecordException {
        PromptRequest sparse = new PromptRequest(null, "a cat", null, null, null, null, null, null, null, null, null,
                null, null, Map.of(), null, null, null, null);
        PromptRequest viaAvro = assertInstanceOf(Validation.Accepted.class, new PromptValidator(
                GenerationDefaults.DIFFUSERS).validate(AvroCodec.readFields(AvroCodec.write(sparse)))).request();
        PromptRequest viaJson = assertInstanceOf(Validation.Accepted.class, new PromptValidator(
                GenerationDefaults.DIFFUSERS).validate(JsonCodec.readFields("{\"prompt\":\"a cat\"}"))).request();
        assertEquals(viaJson, viaAvro);
    }

    @Test
    void truncatedAndTrailingBytesAreMalformed() {
        byte[] bytes = AvroCodec.write(Samples.promptRequest());
        assertMalformed(Arrays.copyOf(bytes, bytes.length - 3));
        assertMalformed(Arrays.copyOf(bytes, bytes.length + 1));
        assertMalformed(new byte[0]);
        assertMalformed("{\"prompt\": \"json, not avro\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hugeDeclaredLengthIsMalformedNotOutOfMemory() {
        // union branch 0 (null request_id), then a string length of ~2^31 for the prompt
        assertMalformed(new byte[] {0, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'a'});
    }

    @Test
    void randomBytesNeverEscapeAsAnotherException() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            try {
                AvroCodec.readFields(bytes);
            } catch (InvalidRecordException e) {
                assertEquals(ErrorCode.MALFORMED_AVRO, e.code());
            }
        }
    }

    private static void assertMalformed(byte[] bytes) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> AvroCodec.readFields(bytes));
        assertEquals(ErrorCode.MALFORMED_AVRO, e.code(), e.getMessage());
    }
}
