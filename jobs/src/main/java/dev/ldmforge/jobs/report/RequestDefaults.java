package dev.ldmforge.jobs.report;

import dev.ldmforge.schemas.GenerationDefaults;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's request defaults as {@code _SUMMARY.json} records them ({@code config.defaults}): a JSON object under the
 * request field names of {@code PromptRequest}, so a reader can compare them with the rows; unset values are null.
 */
public final class RequestDefaults {
    private RequestDefaults() {
    }

    public static Map<String, Object> json(GenerationDefaults d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("num_inference_steps", d.numInferenceSteps());
        m.put("guidance_scale", d.guidanceScale());
        m.put("width", d.width());
        m.put("height", d.height());
        m.put("num_images_per_prompt", d.numImagesPerPrompt());
        m.put("strength", d.strength());
        m.put("scheduler", d.scheduler());
        m.put("negative_prompt", d.negativePrompt());
        m.put("timestep_spacing", d.timestepSpacing());
        m.put("use_karras_sigmas", d.useKarrasSigmas());
        return m;
    }
}
