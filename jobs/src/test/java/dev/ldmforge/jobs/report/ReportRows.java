package dev.ldmforge.jobs.report;

import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.ImageStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Output rows and a summary for the report tests. */
final class ReportRows {
    static final Instant STARTED = Instant.parse("2026-11-28T10:00:00Z");
    static final Instant FINISHED = Instant.parse("2026-11-28T10:00:12.500Z");

    private ReportRows() {
    }

    static GeneratedImage image(String imageUri, String requestId, int index, String prompt, int width, int height) {
        return new GeneratedImage(requestId, index, imageUri, "0".repeat(64), width, height, 1000L + index, prompt,
                "blurry, <low> & 'bad'", 20, 7.5, "ddim", null, null, "tiny-sd", "abc123", 1, 2, 3, 4, 5, "host-1",
                "driver", "cpu", "float32", 0, STARTED, ImageStatus.GENERATED, Map.of("k", "v"), null, null, null, null,
                null);
    }

    static DeadLetter fileDeadLetter(String file, long row, ErrorCode code, String message) {
        return new DeadLetter(null, code, message, "{}", null, file, row, null, null, null, FINISHED);
    }

    static DeadLetter kafkaDeadLetter(String topic, int partition, long offset, ErrorCode code, String message) {
        return new DeadLetter("r-k", code, message, null, new byte[] {1}, null, null, topic, partition, offset,
                FINISHED);
    }

    static JobSummary summary(String modelId, List<String> command) {
        return new JobSummary(12, 10, 15, 9, 3, 3, 18, modelId, "abc123", null, "cpu", "float32", 4, 2,
                "local-1764324000000", STARTED, FINISHED, command,
                Map.of("output", "/data/out", "limit", "1000", "input", "prompts.jsonl"),
                Map.of("WIDTH", 1L, "BLANK_PROMPT", 2L));
    }
}
