package dev.ldmforge.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobSummaryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void fieldNamesAreSnakeCaseInTheDocumentedOrder() throws Exception {
        JsonNode json = JSON.readTree(ReportRows.summary("tiny-sd", List.of("ldmforge", "generate")).toJson());
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("read", "valid", "generated", "generated_requests", "skipped_existing", "dead_lettered",
                "images", "wall_time_s", "images_per_s", "model_id", "model_hash", "model_revision", "device", "dtype",
                "batch_size",
                "partitions", "spark_application_id", "started_at", "finished_at", "command", "config",
                "dead_letters_by_code", "reconciled"), names);
    }

    @Test
    void valuesAreWrittenAsGivenAndDerivedOnesComputed() throws Exception {
        List<String> argv = List.of("ldmforge", "generate", "--input", "my prompts.jsonl", "--conf", "a=b");
        String text = ReportRows.summary("tiny-sd", argv).toJson();
        JsonNode json = JSON.readTree(text);
        assertEquals(12, json.get("read").asLong());
        assertEquals(10, json.get("valid").asLong());
        assertEquals(15, json.get("generated").asLong());
        assertEquals(9, json.get("generated_requests").asLong());
        assertEquals(3, json.get("skipped_existing").asLong());
        assertEquals(3, json.get("dead_lettered").asLong());
        assertEquals(18, json.get("images").asLong());
        assertEquals(12.5, json.get("wall_time_s").asDouble());
        assertEquals(1.2, json.get("images_per_s").asDouble(), 1e-12);
        assertEquals("tiny-sd", json.get("model_id").asText());
        assertEquals("abc123", json.get("model_hash").asText());
        assertTrue(json.get("model_revision").isNull(), "no hub model, no revision");
        assertEquals("cpu", json.get("device").asText());
        assertEquals("float32", json.get("dtype").asText());
        assertEquals(4, json.get("batch_size").asInt());
        assertEquals(2, json.get("partitions").asInt());
        assertEquals("local-1764324000000", json.get("spark_application_id").asText());
        assertEquals("2026-11-28T10:00:00Z", json.get("started_at").asText());
        assertEquals("2026-11-28T10:00:12.500Z", json.get("finished_at").asText());
        assertEquals(JSON.valueToTree(argv), json.get("command"));
        assertEquals("{\"input\":\"prompts.jsonl\",\"limit\":\"1000\",\"output\":\"/data/out\"}",
                json.get("config").toString(), "config sorted by key");
        assertEquals("{\"BLANK_PROMPT\":2,\"WIDTH\":1}", json.get("dead_letters_by_code").toString());
        assertTrue(json.get("reconciled").asBoolean(), "12 read = 9 requests generated + 3 dead letters");
        assertTrue(text.endsWith("}\n"));
        assertEquals(text, ReportRows.summary("tiny-sd", argv).toJson(), "deterministic");
    }

    @Test
    void unreconciledCountsZeroWallTimeAndNoSparkApplication() throws Exception {
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        JobSummary summary = new JobSummary(5, 5, 0, 3, 0, 1, 5, "m", "h", null, "cpu", "float32", 1, 1, null, now, now,
                List.of(), Map.of(), Map.of());
        JsonNode json = JSON.readTree(summary.toJson());
        assertFalse(json.get("reconciled").asBoolean(), "5 read but only 3 + 1 accounted for");
        assertEquals(0.0, json.get("wall_time_s").asDouble());
        assertEquals(0.0, json.get("images_per_s").asDouble());
        assertTrue(json.get("spark_application_id").isNull());
    }
}
