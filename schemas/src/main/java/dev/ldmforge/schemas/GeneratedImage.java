package dev.ldmforge.schemas;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Java view of {@code GeneratedImage.avsc} (one row of output metadata per image); see {@link PromptRequest} for why
 * this is a hand-written record checked against the schema. Timings are milliseconds.
 */
public record GeneratedImage(
        String requestId,
        int imageIndex,
        String imageUri,
        String sha256,
        int width,
        int height,
        long seed,
        String prompt,
        String negativePrompt,
        int numInferenceSteps,
        double guidanceScale,
        String scheduler,
        Double strength,
        String initImageUri,
        String modelId,
        String modelHash,
        long textEncodeMs,
        long denoiseMs,
        long decodeMs,
        long encodeMs,
        long uploadMs,
        String host,
        String executorId,
        String device,
        String dtype,
        int taskAttempt,
        Instant createdAt,
        ImageStatus status,
        Map<String, String> metadata,
        String prompt2,
        String negativePrompt2,
        String timestepSpacing,
        Boolean useKarrasSigmas,
        String modelRevision) {

    public GeneratedImage {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
