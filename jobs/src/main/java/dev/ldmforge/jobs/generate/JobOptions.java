package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.executor.HubConf;
import dev.ldmforge.jobs.output.OutputSettings;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.pipeline.ModelLocation;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptValidator;

import java.io.Serializable;
import java.util.Map;

/**
 * Everything executors need to know about a generate run; serialised into each task.
 *
 * @param model            the job's model as the command names it; rows without a model use it
 * @param locations        where a model name is loaded from when that is not the name itself: a Hugging Face id
 *                         pinned by the driver to {@code ORG/NAME@COMMIT} ({@link #location})
 * @param hub              the job's Hugging Face settings
 * @param retryFloat32     regenerate NaN/black float16 images once in float32
 * @param failFirstAttempt fault injection for tests: the first attempt of every task fails after writing half of
 *                         its images, as a crashed executor would
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
        Map<String, String> locations,
        HubConf hub,
        boolean retryFloat32,
        boolean failFirstAttempt,
        OutputSettings outputs) implements Serializable {

    public JobOptions {
        locations = Map.copyOf(locations);
    }

    /**
     * What executors load for a model name: its pinned location, or the name itself. A hub id the driver did not pin
     * is refused: a request may not make executors download a model the job never named.
     */
    public String location(String model) {
        String pinned = locations.get(model);
        if (pinned != null) {
            return pinned;
        }
        if (ModelLocation.hubId(model).isPresent()) {
            throw new IllegalArgumentException(model + " is a Hugging Face id the job did not name; requests may "
                    + "only use models the job names");
        }
        return model;
    }

    /** The job's model as its metadata rows name it ({@code model_id}): a hub model's repository, else its name. */
    public String recordedModelId() {
        return ModelLocation.recordedId(location(model));
    }

    /** The commit the job's hub model is pinned to, else null. */
    public String modelRevision() {
        return ModelLocation.hubId(location(model)).map(HubModelId::revision).orElse(null);
    }
}
