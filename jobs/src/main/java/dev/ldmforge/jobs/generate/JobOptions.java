package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator;

import java.io.Serializable;

/**
 * Everything executors need to know about a generate run; serialised into each task.
 *
 * @param retryFloat32     regenerate NaN/black float16 images once in float32
 * @param failFirstAttempt fault injection for tests: the first attempt of every task fails after writing half of
 *                         its images, as a crashed executor would
 */
public record JobOptions(
        String prompts,
        String output,
        String model,
        String device,
        String dtype,
        int batchSize,
        int attentionChunk,
        GenerationDefaults defaults,
        PromptValidator.UnknownFields unknownFields,
        S3Settings s3,
        String modelCacheDir,
        boolean retryFloat32,
        boolean failFirstAttempt) implements Serializable {
}
