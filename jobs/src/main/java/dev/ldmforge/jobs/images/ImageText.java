package dev.ldmforge.jobs.images;

import dev.ldmforge.runtime.pipeline.ModelInfo;
import dev.ldmforge.schemas.PromptRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/** The generation parameters written into every PNG as text chunks, under diffusers' parameter names. */
public final class ImageText {
    private ImageText() {
    }

    public static Map<String, String> of(PromptRequest r, int imageIndex, long seed, String scheduler,
                                         ModelInfo model) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", r.prompt());
        putIfSet(text, "negative_prompt", r.negativePrompt());
        putIfSet(text, "prompt_2", r.prompt2());
        putIfSet(text, "negative_prompt_2", r.negativePrompt2());
        text.put("num_inference_steps", Integer.toString(r.numInferenceSteps()));
        text.put("guidance_scale", Double.toString(r.guidanceScale()));
        text.put("width", Integer.toString(r.width()));
        text.put("height", Integer.toString(r.height()));
        text.put("seed", Long.toString(seed));
        text.put("scheduler", scheduler);
        putIfSet(text, "timestep_spacing", r.timestepSpacing());
        putIfSet(text, "use_karras_sigmas", r.useKarrasSigmas() == null ? null : r.useKarrasSigmas().toString());
        if (r.strength() != null) {
            text.put("strength", Double.toString(r.strength()));
            text.put("init_image_uri", r.initImageUri());
        }
        text.put("request_id", r.requestId());
        text.put("image_index", Integer.toString(imageIndex));
        text.put("model", model.id());
        text.put("model_hash", model.weightsSha256());
        putIfSet(text, "model_revision", model.revision());
        text.put("software", "ldmforge");
        return text;
    }

    private static void putIfSet(Map<String, String> text, String key, String value) {
        if (value != null) {
            text.put(key, value);
        }
    }
}
