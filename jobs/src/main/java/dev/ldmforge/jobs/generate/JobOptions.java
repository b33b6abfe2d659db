package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.executor.HubConf;
import dev.ldmforge.jobs.output.OutputSettings;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.pipeline.ModelLocation;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator;

import java.io.Serializable;

/**
 * Everything executors need to know about a generate run; serialised into each task.
 *
 * @param model            the job's model as the command names it; rows without a model use it
 * @param models           the models the job declares, NAME → LOCATION, Hugging Face ids pinned by the driver to
 *                         {@code ORG/NAME@COMMIT} ({@link #location}); requests may name only these
 * @param hub              the job's Hugging Face settings
 * @param retryFloat32     regenerate NaN/black float16 images once in float32
 * @param failFirstAttempt fault injection for tests: the first attempt of every task fails after writing half of
 *                         its images, as a crashed executor would
 * @param preset           the {@code --preset} description ({@code _SUMMARY.json}), or null
 * @param initImages       where a request's init_image_uri may lie
 * @param maxInitImageBytes larger init images are refused, and reading stops there
 * @param maxLoadedModels  pipelines an executor keeps loaded (least recently used evicted)
 * @param outputs          output format, image format and their settings
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
        DeclaredModels models,
        HubConf hub,
        boolean retryFloat32,
        boolean failFirstAttempt,
        String preset,
        AllowedLocations initImages,
        long maxInitImageBytes,
        int maxLoadedModels,
        OutputSettings outputs) implements Serializable {

    /**
     * What executors load for a declared model name (its pinned location). A name the job does not declare is refused:
     * a request may not make executors open a path, bucket or Hub id the job never named.
     */
    public String location(String name) {
        return models.location(name).orElseThrow(() -> new IllegalArgumentException("model: " + name
                + " is not a model this job declares (" + String.join(", ", models.locations().keySet())
                + "; see --model and --extra-model)"));
    }

    /** A declared model as metadata rows name it ({@code model_id}): its NAME, without a hub id's revision. */
    public static String recordedId(String name) {
        return ModelLocation.hubId(name).map(HubModelId::repo).orElse(name);
    }

    /** The job's model as its metadata rows name it ({@code model_id}). */
    public String recordedModelId() {
        return recordedId(model);
    }

    /** The commit the job's hub model is pinned to, else null. */
    public String modelRevision() {
        return ModelLocation.hubId(location(model)).map(HubModelId::revision).orElse(null);
    }
}
