package dev.ldmforge.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Issue 13: a datum declaring more than its bytes hold is refused before Avro allocates what it declares. */
    @Test
    void declaredLengthsAndCountsBeyondTheBytesAreRefusedBeforeAllocation() {
        // request_id: the string branch, then a length of 1.5 GB (zig-zag varint), then 8 bytes.
        byte[] hugeString = {2, (byte) 0x80, (byte) 0xbc, (byte) 0xc1, (byte) 0x96, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0};
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> AvroCodec.readFields(hugeString));
        assertEquals(ErrorCode.MALFORMED_AVRO, e.code());
        assertTrue(e.getMessage().contains("of 1500000000 bytes declared"), e.getMessage());
        // A valid minimal datum whose metadata map declares 2^30 entries.
        byte[] minimal = AvroCodec.write(new PromptRequest(null, "p", null, null, null, null, null, null, null, null,
                null, null, null, Map.of(), null, null, null, null));
        int metadata = 3 + 11; // request_id null, prompt "p", eleven null fields
        byte[] hugeMap = Arrays.copyOf(minimal, minimal.length + 4);
        System.arraycopy(new byte[]{(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, hugeMap, metadata, 5);
        e = assertThrows(InvalidRecordException.class, () -> AvroCodec.readFields(hugeMap));
        assertTrue(e.getMessage().contains("a block of 1073741824 items"), e.getMessage());
    }

    private static void assertMalformed(byte[] bytes) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> AvroCodec.readFields(bytes));
        assertEquals(ErrorCode.MALFORMED_AVRO, e.code(), e.getMessage());
    }
}
