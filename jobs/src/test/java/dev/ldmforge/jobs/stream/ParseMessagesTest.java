package dev.ldmforge.jobs.stream;

import dev.ldmforge.schemas.AvroCodec;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptRequest;
import dev.ldmforge.schemas.PromptValidator;
import dev.ldmforge.schemas.SparkSchemas;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Decoding and limits of stream messages, without Spark: Avro and JSON, size and prompt-length limits. */
class ParseMessagesTest {
    private static List<Row> parse(MessageFormat format, int maxBytes, int maxChars, byte[]... values) {
        List<Row> in = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            in.add(RowFactory.create(values[i], "t", 0, (long) i));
        }
        List<Row> out = new ArrayList<>();
        new ParseMessages(format, maxBytes, maxChars, GenerationDefaults.DIFFUSERS.withSize(64, 64),
                PromptValidator.UnknownFields.IGNORE).call(in.iterator()).forEachRemaining(out::add);
        return out;
    }

    private static String code(Row r) {
        return r.getString(ParseMessages.SCHEMA.fieldIndex("error_code"));
    }

    @Test
    void avroMessagesAreDecodedAndGarbageIsMalformedAvro() {
        byte[] good = AvroCodec.write(new PromptRequest("a1", "a red circle", null, 2, null, null, null, 7L, null,
                null, null, null, null, Map.of(), null, null, null, null));
        List<Row> rows = parse(MessageFormat.AVRO, 65536, 4096, good, new byte[] {1, 2, 3, (byte) 0xff});
        assertNull(code(rows.get(0)));
        Row request = rows.get(0).getStruct(ParseMessages.SCHEMA.fieldIndex("request"));
        assertEquals("a1", request.getString(SparkSchemas.PROMPT_REQUEST.fieldIndex("request_id")));
        assertEquals("MALFORMED_AVRO", code(rows.get(1)));
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff}, (byte[]) rows.get(1).get(3));
        assertNull(rows.get(1).get(ParseMessages.SCHEMA.fieldIndex("original")), "Avro has no text form");
    }

    @Test
    void oversizedMessagesAndLongPromptsAreRejectedWithTheirSourcePosition() {
        byte[] big = ("{\"prompt\": \"" + "x".repeat(200) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] longPrompt = "{\"request_id\": \"lp\", \"prompt\": \"twenty-one characters\"}"
                .getBytes(StandardCharsets.UTF_8);
        List<Row> rows = parse(MessageFormat.JSON, 100, 20, big, longPrompt, null);
        assertEquals("MESSAGE_TOO_LARGE", code(rows.get(0)));
        assertEquals("t", rows.get(0).getString(0));
        assertEquals(0L, rows.get(0).getLong(2));
        assertEquals("PROMPT_TOO_LONG", code(rows.get(1)));
        assertEquals("lp", rows.get(1).getString(ParseMessages.SCHEMA.fieldIndex("request_id")));
        assertNotNull(rows.get(1).getString(ParseMessages.SCHEMA.fieldIndex("original")));
        assertEquals("MALFORMED_JSON", code(rows.get(2)), "a message without a value");
    }
}
