package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;

/**
 * The training noise schedule of an original checkpoint ({@code linear_start}, {@code linear_end},
 * {@code timesteps}; SD 1, 2 and XL share one), written as the scheduler config SD 1.5 ships, or SDXL base 1.0's.
 */
record NoiseSchedule(double betaStart, double betaEnd, int trainTimesteps) {

    static final NoiseSchedule SD = new NoiseSchedule(0.00085, 0.012, 1000);

    JsonConfig schedulerConfig(String predictionType, String source) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("_class_name", "PNDMScheduler");
        n.put("beta_end", betaEnd);
        n.put("beta_schedule", "scaled_linear");
        n.put("beta_start", betaStart);
        n.put("clip_sample", false);
        n.put("num_train_timesteps", trainTimesteps);
        n.put("prediction_type", predictionType);
        n.put("set_alpha_to_one", false);
        n.put("skip_prk_steps", true);
        n.put("steps_offset", 1);
        n.putNull("trained_betas");
        return new JsonConfig(n, source);
    }

    /** SDXL base 1.0's scheduler_config.json (EulerDiscrete, leading spacing), as diffusers' single-file loader. */
    JsonConfig sdxlSchedulerConfig(String predictionType, String source) {
        ObjectNode n = (ObjectNode) schedulerConfig(predictionType, source).node();
        n.put("_class_name", "EulerDiscreteScheduler");
        n.put("interpolation_type", "linear");
        n.put("sample_max_value", 1.0);
        n.put("timestep_spacing", "leading");
        n.put("use_karras_sigmas", false);
        return new JsonConfig(n, source);
    }
}
