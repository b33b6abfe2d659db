package dev.ldmforge.schemas;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Java view of {@code PromptRequest.avsc}: component {@code numInferenceSteps} is Avro field
 * {@code num_inference_steps}; nullable Avro fields are boxed here.
 *
 * <p>The three records are hand-written Java records rather than avro-maven-plugin output: immutable values with
 * plain accessors that the jobs can build and pattern-match without Avro's mutable SpecificRecord API or a code
 * generator in the build. The .avsc stays the single source of truth: {@code RecordSchemasTest} fails when a
 * component's name, type or nullability disagrees with the schema, and all codecs and StructTypes are driven by the
 * schema, not by this class.
 *
 * <p>As returned by {@link PromptValidator} the request is normalised: {@code requestId},
 * {@code numInferenceSteps}, {@code guidanceScale}, {@code width}, {@code height}, {@code seed} and
 * {@code numImagesPerPrompt} are set, and {@code strength} is set exactly when {@code initImageUri} is.
 * {@code negativePrompt} stays null when neither the record nor the job's defaults give one: SDXL models tell an
 * absent negative prompt (zero embeddings) from an empty one (encoded). Image
 * {@code i} of the request uses seed {@code seed + i} (64-bit two's-complement addition).
 */
public record PromptRequest(
        String requestId,
        String prompt,
        String negativePrompt,
        Integer numInferenceSteps,
        Double guidanceScale,
        Integer width,
        Integer height,
        Long seed,
        Integer numImagesPerPrompt,
        String scheduler,
        String model,
        Double strength,
        String initImageUri,
        Map<String, String> metadata,
        String prompt2,
        String negativePrompt2,
        String timestepSpacing,
        Boolean useKarrasSigmas) {

    public PromptRequest {
        Objects.requireNonNull(prompt, "prompt");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
    }
}
