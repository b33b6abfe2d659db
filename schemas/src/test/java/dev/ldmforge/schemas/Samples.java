package dev.ldmforge.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One fully populated value of each record, for round-trip tests. */
final class Samples {
    private Samples() {}

    static Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("dataset", "quickstart");
        metadata.put("row", "12");
        metadata.put("note", "東京 ✓ \"quoted\"");
        return metadata;
    }

    static PromptRequest promptRequest() {
        return new PromptRequest("req-1", "a red circle on a blue background", "blurry", 30, 7.5, 640, 384, 42L, 2,
                "euler-ancestral", "sd15", 0.75, "s3://bucket/in.png", metadata(), "a red sphere", "blur", "trailing", true);
    }

    static GeneratedImage generatedImage() {
        return new GeneratedImage("req-1", 1, "s3://bucket/images/req-1/1.png", "ab".repeat(32), 640, 384, 43L,
                "a red circle on a blue background", "blurry", 30, 7.5, "euler-ancestral", null, null, "sd15",
                "9f".repeat(32), 120, 45_000, 800, 35, 60, "worker-3", "7", "cpu", "float32", 1,
                Instant.ofEpochMilli(1_795_000_000_123L), ImageStatus.GENERATED, metadata(), "a red sphere", "blur", "trailing", true,
                "0123456789abcdef0123456789abcdef01234567");
    }

    static DeadLetter deadLetter() {
        return new DeadLetter(null, ErrorCode.MALFORMED_AVRO, "record: 3 bytes are not a PromptRequest Avro datum",
                null, "\u0000\u00ff\u0010".getBytes(StandardCharsets.ISO_8859_1), null, null, "prompts", 3, 1_234_567L,
                Instant.ofEpochMilli(1_795_000_000_999L));
    }
}
